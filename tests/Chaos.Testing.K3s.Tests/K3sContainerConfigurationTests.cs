namespace Chaos.Testing.K3s.Tests;

public sealed class K3sContainerConfigurationTests
{
    [Fact]
    public void Defaults_map_to_the_pinned_image_and_the_base_command()
    {
        var config = K3sContainerConfiguration.From(new K3sChaosClusterOptions());

        config.Image.Should().Be("rancher/k3s:v1.31.4-k3s1");
        config.ExtraCommand.Should().BeEmpty();
        config.Command.Should().Equal("server", "--disable=traefik");
        config.Reuse.Should().BeFalse();
        config.ResourceMappings.Should().BeEmpty();
    }

    [Fact]
    public void Options_map_to_command_reuse_and_tarballs_in_the_k3s_images_directory()
    {
        var options = new K3sChaosClusterOptions { Image = " rancher/k3s:v1.30.8-k3s1 ", Reuse = true };
        options.ExtraServerArgs.Add("--disable=metrics-server");
        options.ExtraServerArgs.Add("--kubelet-arg=max-pods=50");
        options.ImageTarballs.Add("k3s-airgap.tar");
        options.ImageTarballs.Add("/opt/images/shop.tar");

        var config = K3sContainerConfiguration.From(options);

        config.Image.Should().Be("rancher/k3s:v1.30.8-k3s1");
        config.ExtraCommand.Should().Equal("--disable=metrics-server", "--kubelet-arg=max-pods=50");
        config.Command.Should().Equal("server", "--disable=traefik", "--disable=metrics-server", "--kubelet-arg=max-pods=50");
        config.Reuse.Should().BeTrue();
        config.ResourceMappings.Should().BeEmpty("tarballs are bind-mounted, never copied through memory");
        config.BindMounts.Should().Equal(
            (Path.GetFullPath("k3s-airgap.tar"), "/var/lib/rancher/k3s/agent/images/k3s-airgap.tar"),
            ("/opt/images/shop.tar", "/var/lib/rancher/k3s/agent/images/shop.tar"));
    }

    [Fact]
    public void The_mapping_is_a_snapshot_of_the_options()
    {
        var options = new K3sChaosClusterOptions();
        var config = K3sContainerConfiguration.From(options);

        options.ExtraServerArgs.Add("--later");

        config.ExtraCommand.Should().BeEmpty();
    }
}

/// <summary>
/// What the Testcontainers builder really carries (read through its configuration, which it keeps non-public): building
/// needs Docker, this does not.
/// </summary>
public sealed class K3sBuilderTests
{
    [Fact]
    public void The_builder_carries_image_appended_command_privilege_reuse_label_and_tarballs()
    {
        var tarball = Path.GetTempFileName();
        try
        {
            var options = new K3sChaosClusterOptions { Image = "rancher/k3s:v1.30.8-k3s1", Reuse = true };
            options.ExtraServerArgs.Add("--disable=metrics-server");
            options.ImageTarballs.Add(tarball);

            var config = Configuration(K3sContainerConfiguration.From(options).ToBuilder());

            config.Image.FullName.Should().Be("rancher/k3s:v1.30.8-k3s1");
            config.Command.Should().Equal("server", "--disable=traefik", "--disable=metrics-server");
            config.Privileged.Should().BeTrue("K3s runs privileged");
            config.Reuse.Should().BeTrue();
            config.Labels.Should().Contain("chaos-testing", "k3s");
            config.ResourceMappings.Should().BeNullOrEmpty("a resource mapping is read into a byte array and an in-memory tar: 2-3 times a tarball's size");
            var mount = config.Mounts.Where(m => m.Target.StartsWith("/var/lib/rancher/", StringComparison.Ordinal)).Should().ContainSingle().Subject;
            mount.Source.Should().Be(tarball);
            mount.Target.Should().Be($"/var/lib/rancher/k3s/agent/images/{Path.GetFileName(tarball)}");
            mount.AccessMode.Should().Be(DotNet.Testcontainers.Configurations.AccessMode.ReadOnly);
            mount.Type.Should().Be(DotNet.Testcontainers.Configurations.MountType.Bind);
        }
        finally
        {
            File.Delete(tarball);
        }
    }

    [Fact]
    public void Without_extra_args_the_builder_keeps_the_base_command_and_no_reuse()
    {
        var config = Configuration(K3sContainerConfiguration.From(new K3sChaosClusterOptions()).ToBuilder());

        config.Image.FullName.Should().Be("rancher/k3s:v1.31.4-k3s1");
        config.Command.Should().Equal("server", "--disable=traefik");
        config.Reuse.Should().NotBe(true);
        config.ResourceMappings.Should().BeNullOrEmpty();
    }

    private static DotNet.Testcontainers.Configurations.IContainerConfiguration Configuration(Testcontainers.K3s.K3sBuilder builder) =>
        (DotNet.Testcontainers.Configurations.IContainerConfiguration)typeof(Testcontainers.K3s.K3sBuilder)
            .GetProperty("DockerResourceConfiguration", System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Instance | System.Reflection.BindingFlags.DeclaredOnly)!
            .GetValue(builder)!;
}
