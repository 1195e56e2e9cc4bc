using k8s;
using k8s.Models;

namespace Chaos.Testing.Emulator.Tests.Runtime;

/// <summary>
/// A user-mapped image whose files lie under <c>/tmp</c> (a repository cloned there, a service built there) runs: the
/// folders of its program and of its file arguments are the image's contents, mounted read-only where they are, while
/// the rest of the container's <c>/tmp</c> stays its own.
/// </summary>
public sealed class ImageFilesTests : ProcessRuntimeTest, IDisposable
{
    private static readonly string Folder = Directory.CreateTempSubdirectory("cte-image-files-").FullName;
    private static readonly string Script = Path.Combine(Folder, "app", "run.sh");
    private static readonly string HostOnly = Path.Combine(Path.GetTempPath(), $"cte-host-only-{Guid.NewGuid():N}.txt");

    static ImageFilesTests()
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Script)!);
        File.WriteAllText(Script, $"echo hello from the image\n[ -e {HostOnly} ] && echo 'sees the machine /tmp' || echo 'its own /tmp'\n");
        File.WriteAllText(HostOnly, "this machine's, not the container's");
    }

    public void Dispose()
    {
        Directory.Delete(Folder, recursive: true);
        File.Delete(HostOnly);
        GC.SuppressFinalize(this);
    }

    protected override void Configure(KubernetesEmulatorOptions options)
    {
        base.Configure(options);
        options.Processes.Images["shop/app:1"] = new ImageProgram("/bin/sh", Script);
    }

    [ProcessRuntimeFact]
    public async Task AnImageWhoseFilesAreUnderTmp_Runs_AndTheContainersTmpIsStillItsOwn()
    {
        Folder.Should().StartWith("/tmp/", "the point is a file that the container's own /tmp would hide");
        await CreateAsync(new V1Pod
        {
            Metadata = new V1ObjectMeta { Name = "app" },
            Spec = new V1PodSpec { RestartPolicy = "Never", Containers = [new V1Container { Name = "main", Image = "shop/app:1" }] },
        });

        var pod = await PodAsync("app", p => p.Status?.Phase is "Succeeded" or "Failed", "app to finish");
        var log = await LogAsync("app");
        pod.Status.Phase.Should().Be("Succeeded", log);
        log.Should().Contain("hello from the image").And.Contain("its own /tmp");
    }
}
