namespace Chaos.Testing.K3s.Tests;

public sealed class K3sChaosClusterOptionsTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("k3s-options-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void Defaults_are_valid_and_pinned()
    {
        var options = new K3sChaosClusterOptions();

        options.Validate().Should().BeEmpty();
        options.Image.Should().Be("rancher/k3s:v1.31.4-k3s1");
        options.StartupTimeout.Should().Be(TimeSpan.FromMinutes(3));
        options.Reuse.Should().BeFalse();
        options.ImageTarballs.Should().BeEmpty();
        options.ExtraServerArgs.Should().BeEmpty();
    }

    [Fact]
    public void Empty_image_has_an_exact_message()
    {
        var options = new K3sChaosClusterOptions { Image = string.Empty };

        options.Validate().Should().Equal(
            "Image is \"\": it must be a non-empty image reference such as \"rancher/k3s:v1.31.4-k3s1\"; fix: set Image or leave it at the default");
    }

    [Fact]
    public void Whitespace_only_image_is_rejected()
    {
        new K3sChaosClusterOptions { Image = "   " }.Validate().Should().ContainSingle().Which.Should().StartWith("Image is \"   \": it must be a non-empty image reference");
    }

    [Fact]
    public void Image_with_inner_whitespace_is_rejected()
    {
        new K3sChaosClusterOptions { Image = "rancher/k3s: v1" }.Validate().Should().ContainSingle().Which.Should().Contain("cannot contain whitespace");
    }

    [Fact]
    public void Compressed_tarball_has_an_exact_message()
    {
        var options = new K3sChaosClusterOptions();
        options.ImageTarballs.Add("images.tar.gz");

        options.Validate().Should().Equal(
            "ImageTarballs[0] is \"images.tar.gz\": it must be an uncompressed .tar file (K3s imports *.tar from its images directory); fix: write it with `docker save -o images.tar <image>...`");
    }

    [Fact]
    public void Missing_tarball_names_the_path_and_the_fix()
    {
        var path = Path.Combine(_dir, "missing.tar");
        var options = new K3sChaosClusterOptions();
        options.ImageTarballs.Add(path);

        var error = options.Validate().Should().ContainSingle().Subject;
        error.Should().StartWith($"ImageTarballs[0] is \"{path}\": the file does not exist");
        error.Should().Contain("docker save -o missing.tar");
    }

    [Fact]
    public void Existing_tarball_is_valid()
    {
        var path = Path.Combine(_dir, "apps.tar");
        File.WriteAllBytes(path, [0]);
        var options = new K3sChaosClusterOptions();
        options.ImageTarballs.Add(path);

        options.Validate().Should().BeEmpty();
    }

    [Fact]
    public void Blank_tarball_entry_is_rejected()
    {
        var options = new K3sChaosClusterOptions();
        options.ImageTarballs.Add(" ");

        options.Validate().Should().ContainSingle().Which.Should().StartWith("ImageTarballs[0] is \" \": it must be the path of an existing .tar file");
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    [InlineData(31 * 60)]
    public void Timeout_outside_the_range_is_rejected(int seconds)
    {
        var options = new K3sChaosClusterOptions { StartupTimeout = TimeSpan.FromSeconds(seconds) };

        options.Validate().Should().ContainSingle().Which.Should()
            .StartWith("StartupTimeout is ").And.Contain("it must be more than 00:00:00 and at most 00:30:00; fix: use the default of 00:03:00");
    }

    [Fact]
    public void Timeout_of_exactly_30_minutes_is_allowed()
    {
        new K3sChaosClusterOptions { StartupTimeout = TimeSpan.FromMinutes(30) }.Validate().Should().BeEmpty();
    }

    [Fact]
    public void Whitespace_only_server_arg_is_rejected()
    {
        var options = new K3sChaosClusterOptions();
        options.ExtraServerArgs.Add("--disable=metrics-server");
        options.ExtraServerArgs.Add("  ");

        options.Validate().Should().Equal(
            "ExtraServerArgs[1] is \"  \": each entry must be one non-empty k3s server argument such as \"--disable=metrics-server\"; fix: remove the entry");
    }

    [Fact]
    public void Untrimmed_server_arg_is_rejected()
    {
        var options = new K3sChaosClusterOptions();
        options.ExtraServerArgs.Add(" --disable=metrics-server");

        options.Validate().Should().ContainSingle().Which.Should().Contain("cannot start or end with whitespace");
    }

    [Fact]
    public void Every_error_is_reported_at_once()
    {
        var options = new K3sChaosClusterOptions { Image = string.Empty, StartupTimeout = TimeSpan.Zero };
        options.ImageTarballs.Add(Path.Combine(_dir, "nope.tar"));
        options.ImageTarballs.Add("images.zip");
        options.ExtraServerArgs.Add(string.Empty);

        var errors = options.Validate();

        errors.Should().HaveCount(5);
        errors.Should().ContainSingle(e => e.StartsWith("Image is", StringComparison.Ordinal));
        errors.Should().ContainSingle(e => e.StartsWith("ImageTarballs[0]", StringComparison.Ordinal));
        errors.Should().ContainSingle(e => e.StartsWith("ImageTarballs[1]", StringComparison.Ordinal));
        errors.Should().ContainSingle(e => e.StartsWith("StartupTimeout is", StringComparison.Ordinal));
        errors.Should().ContainSingle(e => e.StartsWith("ExtraServerArgs[0]", StringComparison.Ordinal));
    }

    [Fact]
    public async Task StartAsync_rejects_invalid_options_before_touching_Docker()
    {
        var options = new K3sChaosClusterOptions { Image = string.Empty, StartupTimeout = TimeSpan.Zero };

        var thrown = await FluentActions.Awaiting(() => K3sChaosCluster.StartAsync(options)).Should().ThrowAsync<ArgumentException>();

        thrown.Which.Message.Should().StartWith("Invalid K3sChaosClusterOptions (2 problems):").And.Contain("- Image is \"\"").And.Contain("- StartupTimeout is 00:00:00");
    }
}
