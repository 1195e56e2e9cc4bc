using System.Reflection;
using DotNet.Testcontainers.Configurations;
using k8s.Models;

namespace Chaos.Testing.K3s.Tests;

/// <summary>
/// What reaches K3s' own containerd, which pulls CoreDNS, pause, busybox and payload images: the proxy environment
/// (pod and service ranges always in NO_PROXY) and a registries.yaml, read from the Testcontainers builder itself.
/// </summary>
public sealed class RegistryAccessTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("k3s-registry-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void A_proxy_reaches_the_container_with_the_pod_and_service_ranges_in_NO_PROXY()
    {
        var options = new K3sChaosClusterOptions { HttpProxy = "http://proxy.example:3128", HttpsProxy = "http://proxy.example:3129" };
        options.NoProxy.Add("registry.example");

        var config = Configuration(K3sContainerConfiguration.From(options).ToBuilder());

        config.Environments.Should().Contain("HTTP_PROXY", "http://proxy.example:3128").And.Contain("HTTPS_PROXY", "http://proxy.example:3129");
        config.Environments["NO_PROXY"].Split(',').Should().Equal("127.0.0.0/8", "localhost", "10.42.0.0/16", "10.43.0.0/16", ".svc", ".cluster.local", "registry.example");
    }

    [Fact]
    public void Without_a_proxy_no_proxy_variable_is_set()
    {
        var config = Configuration(K3sContainerConfiguration.From(new K3sChaosClusterOptions()).ToBuilder());

        (config.Environments ?? new Dictionary<string, string>()).Keys.Should().NotContain(["HTTP_PROXY", "HTTPS_PROXY", "NO_PROXY"]);
    }

    [Fact]
    public async Task A_registries_yaml_is_copied_to_where_K3s_reads_it()
    {
        var yaml = Path.Combine(_dir, "mirrors.yaml");
        await File.WriteAllTextAsync(yaml, "mirrors:\n  registry.example:\n    endpoint:\n      - \"https://mirror.example\"\n");
        var options = new K3sChaosClusterOptions { RegistriesYaml = yaml };
        options.Validate().Should().BeEmpty();

        var config = Configuration(K3sContainerConfiguration.From(options).ToBuilder());

        var mapping = config.ResourceMappings.Should().ContainSingle().Subject;
        mapping.Target.Should().Be("/etc/rancher/k3s/registries.yaml");
        (await mapping.GetAllBytesAsync(CancellationToken.None)).Should().Equal(await File.ReadAllBytesAsync(yaml));
    }

    [Fact]
    public void Bad_proxy_registry_and_pre_pull_settings_are_each_reported()
    {
        var options = new K3sChaosClusterOptions { HttpProxy = "proxy.example:3128", RegistriesYaml = Path.Combine(_dir, "missing.yaml"), PrePullTimeout = TimeSpan.Zero };
        options.NoProxy.Add("a, b");
        options.PrePullImages.Add("two words");

        options.Validate().Should().SatisfyRespectively(
            e => e.Should().StartWith("HttpProxy is \"proxy.example:3128\": it must be an absolute http:// or https:// address"),
            e => e.Should().StartWith("NoProxy[0] is \"a, b\""),
            e => e.Should().StartWith("RegistriesYaml is \"").And.Contain("the file does not exist"),
            e => e.Should().StartWith("PrePullImages[0] is \"two words\""),
            e => e.Should().StartWith("PrePullTimeout is 00:00:00"));
    }

    [Fact]
    public void Failing_pulls_in_kube_system_are_named_with_the_kubelets_words_and_the_fix()
    {
        var coredns = Pod("coredns-5c6b6c5476-x2x9q", "rancher/mirrored-coredns-coredns:1.12.0", "ImagePullBackOff", "Back-off pulling image \"rancher/mirrored-coredns-coredns:1.12.0\"");
        var pulling = Pod("local-path-provisioner-abc", "rancher/local-path-provisioner:v0.0.30", "ContainerCreating", null);

        var why = K3sStartup.PullFailures([coredns, pulling]);

        why.Should().StartWith("image pulls fail in kube-system: coredns-5c6b6c5476-x2x9q: image rancher/mirrored-coredns-coredns:1.12.0 (ImagePullBackOff: Back-off pulling image")
            .And.Contain("HttpProxy/HttpsProxy").And.Contain("RegistriesYaml").And.Contain("ImageTarballs")
            .And.NotContain("local-path-provisioner", "a container still being created is not a failing pull");
        K3sStartup.PullFailures([pulling]).Should().BeNull();
    }

    internal static V1Pod Pod(string name, string image, string reason, string? message) => new()
    {
        Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = "kube-system" },
        Spec = new V1PodSpec { Containers = [new V1Container { Name = "c", Image = image }] },
        Status = new V1PodStatus
        {
            Phase = "Pending",
            ContainerStatuses = [new V1ContainerStatus { Name = "c", Image = image, ImageID = string.Empty, State = new V1ContainerState { Waiting = new V1ContainerStateWaiting { Reason = reason, Message = message } } }],
        },
    };

    internal static IContainerConfiguration Configuration(Testcontainers.K3s.K3sBuilder builder) =>
        (IContainerConfiguration)typeof(Testcontainers.K3s.K3sBuilder)
            .GetProperty("DockerResourceConfiguration", BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.DeclaredOnly)!
            .GetValue(builder)!;
}
