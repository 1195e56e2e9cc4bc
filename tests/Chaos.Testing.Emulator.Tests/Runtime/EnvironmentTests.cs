using System.Text;
using k8s;
using k8s.Models;

namespace Chaos.Testing.Emulator.Tests.Runtime;

/// <summary>A container's environment as the kubelet builds it: fields of the pod, ConfigMap and Secret keys, envFrom, $(VAR).</summary>
public sealed class EnvironmentTests : ProcessRuntimeTest
{
    [ProcessRuntimeFact]
    public async Task ValueFrom_FieldsConfigMapsSecretsAndExpansion_AreResolved()
    {
        await Client.CoreV1.CreateNamespacedConfigMapAsync(new V1ConfigMap { Metadata = new V1ObjectMeta { Name = "settings" }, Data = new Dictionary<string, string> { ["mode"] = "fast", ["level"] = "3" } }, Ns);
        await Client.CoreV1.CreateNamespacedSecretAsync(new V1Secret { Metadata = new V1ObjectMeta { Name = "creds" }, Data = new Dictionary<string, byte[]> { ["token"] = Encoding.UTF8.GetBytes("s3cret") } }, Ns);
        await CreateAsync(ShellPod("env", "echo \"name=$POD_NAME ip=$POD_IP app=$APP mode=$MODE token=$TOKEN url=$URL cfg_level=$CFG_level literal=$LITERAL\"; exec sleep 3600", configure: c =>
        {
            c.EnvFrom = [new V1EnvFromSource { ConfigMapRef = new V1ConfigMapEnvSource { Name = "settings" }, Prefix = "CFG_" }];
            c.Env =
            [
                new V1EnvVar { Name = "POD_NAME", ValueFrom = new V1EnvVarSource { FieldRef = new V1ObjectFieldSelector { FieldPath = "metadata.name" } } },
                new V1EnvVar { Name = "POD_IP", ValueFrom = new V1EnvVarSource { FieldRef = new V1ObjectFieldSelector { FieldPath = "status.podIP" } } },
                new V1EnvVar { Name = "APP", ValueFrom = new V1EnvVarSource { FieldRef = new V1ObjectFieldSelector { FieldPath = "metadata.labels['app']" } } },
                new V1EnvVar { Name = "MODE", ValueFrom = new V1EnvVarSource { ConfigMapKeyRef = new V1ConfigMapKeySelector { Name = "settings", Key = "mode" } } },
                new V1EnvVar { Name = "TOKEN", ValueFrom = new V1EnvVarSource { SecretKeyRef = new V1SecretKeySelector { Name = "creds", Key = "token" } } },
                new V1EnvVar { Name = "URL", Value = "http://$(POD_IP):8080/$(MODE)" },
                new V1EnvVar { Name = "LITERAL", Value = "$$(MODE)" },
            ];
        }));

        var log = await LogContainsAsync("env", "name=");
        var pod = await Client.CoreV1.ReadNamespacedPodAsync("env", Ns);
        log.Should().Contain($"name=env ip={pod.Status.PodIP} app=env mode=fast token=s3cret url=http://{pod.Status.PodIP}:8080/fast cfg_level=3 literal=$(MODE)");
    }

    [ProcessRuntimeFact]
    public async Task MissingConfigMap_KeepsTheContainerWaiting_UntilItExists()
    {
        await CreateAsync(ShellPod("waits", "echo mode=$MODE; exec sleep 3600", configure: c =>
            c.Env = [new V1EnvVar { Name = "MODE", ValueFrom = new V1EnvVarSource { ConfigMapKeyRef = new V1ConfigMapKeySelector { Name = "later", Key = "mode" } } }]));

        var waiting = await PodAsync("waits", p => p.Status?.ContainerStatuses?.SingleOrDefault()?.State?.Waiting?.Reason == "CreateContainerConfigError", "the container waits for its ConfigMap");
        waiting.Status.ContainerStatuses.Single().State.Waiting.Message.Should().Be("configmap \"later\" not found");

        await Client.CoreV1.CreateNamespacedConfigMapAsync(new V1ConfigMap { Metadata = new V1ObjectMeta { Name = "later" }, Data = new Dictionary<string, string> { ["mode"] = "on" } }, Ns);
        (await LogContainsAsync("waits", "mode=")).Should().Contain("mode=on");
    }
}
