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
        config.ResourceMappings.Should().Equal(
            (Path.GetFullPath("k3s-airgap.tar"), "/var/lib/rancher/k3s/agent/images/"),
            ("/opt/images/shop.tar", "/var/lib/rancher/k3s/agent/images/"));
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
