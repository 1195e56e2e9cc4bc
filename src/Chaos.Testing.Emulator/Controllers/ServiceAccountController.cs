using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json.Nodes;
using Chaos.Testing.Emulator.Api;
using Chaos.Testing.Emulator.Storage;

namespace Chaos.Testing.Emulator.Controllers;

/// <summary>
/// What kube-controller-manager puts into every active namespace: the <c>default</c> ServiceAccount (the serviceaccount
/// controller) and the <c>kube-root-ca.crt</c> ConfigMap with the cluster's CA certificate (the root-ca-cert-publisher),
/// both recreated when deleted and the ConfigMap restored when changed. The CA is a self-signed certificate made for
/// this emulator; the API server itself serves plain HTTP on loopback, so nothing verifies against it.
/// </summary>
internal sealed class ServiceAccountController : IController
{
    public const string RootCaConfigMap = "kube-root-ca.crt";

    private readonly ResourceStore _store;
    private readonly Lazy<string> _caCertificate = new(CreateCaCertificate);

    public ServiceAccountController(ResourceStore store) => _store = store;

    public string Name => "serviceaccount";

    public void Reconcile(DateTimeOffset now)
    {
        var (namespaces, _) = _store.List(ResourceTypes.Namespaces, null, n => !n.Terminating);
        ObjectFailures.ForEach(Name, namespaces, Reconcile);
    }

    private void Reconcile(StoredObject ns)
    {
        if (_store.Get(ResourceTypes.ServiceAccounts, ns.Name, "default") is null)
        {
            Create(ResourceTypes.ServiceAccounts, new JsonObject
            {
                ["metadata"] = new JsonObject { ["name"] = "default", ["namespace"] = ns.Name },
            });
        }

        var data = new JsonObject { ["ca.crt"] = _caCertificate.Value };
        if (_store.Get(ResourceTypes.ConfigMaps, ns.Name, RootCaConfigMap) is null)
        {
            Create(ResourceTypes.ConfigMaps, new JsonObject
            {
                ["metadata"] = new JsonObject
                {
                    ["name"] = RootCaConfigMap,
                    ["namespace"] = ns.Name,
                    ["annotations"] = new JsonObject { ["kubernetes.io/description"] = "Contains a CA bundle that can be used to verify the kube-apiserver when using internal endpoints such as the internal service IP or kubernetes.default.svc. No other usage is guaranteed across distributions of Kubernetes clusters." },
                },
                ["data"] = data,
            });
            return;
        }

        _store.Mutate(ResourceTypes.ConfigMaps, ns.Name, RootCaConfigMap, o =>
        {
            if (JsonNode.DeepEquals(o["data"], data))
            {
                return false;
            }

            o["data"] = data;
            return true;
        });
    }

    private void Create(ResourceType type, JsonObject obj)
    {
        try
        {
            _store.Create(type, obj);
        }
        catch (ApiException ex) when (ex.Code == 409)
        {
            // Created by a client meanwhile: theirs stays.
        }
    }

    private static string CreateCaCertificate()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=chaos-testing-emulator-ca", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        var notBefore = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
        using var certificate = request.CreateSelfSigned(notBefore, notBefore.AddYears(10));
        return certificate.ExportCertificatePem() + "\n";
    }
}
