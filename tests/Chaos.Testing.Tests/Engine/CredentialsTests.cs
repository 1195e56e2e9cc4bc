using Chaos.Testing.Tests.Support;
using k8s;
using k8s.Autorest;

namespace Chaos.Testing.Tests.Engine;

/// <summary>No exception the library throws carries the caller's bearer token (the client keeps the request it sent, headers included).</summary>
public sealed class CredentialsTests
{
    private const string Token = "s3cret-token-4f1d9c";

    [Fact]
    public async Task Refusal_403_KeepsTheRequestsMethodAndAddress_NotItsToken()
    {
        await using var cluster = await ShopCluster.StartAsync();
        using var client = ClientWithToken(cluster);
        using var deny = cluster.Emulator.Authorization.Deny("delete", "pods", "shop");

        var run = () => Experiment.On(Pods.In("shop").WithLabel("app", "cart")).Kill().RunAsync(client);

        var refused = (await run.Should().ThrowAsync<ChaosRefusedException>()).Which;
        var http = Chain(refused).OfType<HttpOperationException>().Should().ContainSingle().Subject;
        http.Request.Method.Should().Be(HttpMethod.Delete);
        http.Request.RequestUri.AbsolutePath.Should().StartWith("/api/v1/namespaces/shop/pods/cart-");
        Leaks(refused).Should().BeEmpty();
    }

    [Fact]
    public async Task ProbeThatCannotStart_ItsClientErrorInsideTheRefusal_CarriesNoToken()
    {
        await using var cluster = await ShopCluster.StartAsync();
        using var client = ClientWithToken(cluster);

        var run = () => Experiment.On(Pods.In("shop").WithLabel("app", "cart")).Kill()
            .Verify(SteadyState.DeploymentAvailable("shop", "no-such-deployment").Before())
            .RunAsync(client);

        var refused = (await run.Should().ThrowAsync<ChaosRefusedException>()).Which;
        Chain(refused).OfType<HttpOperationException>().Should().NotBeEmpty("the 404 of the probe's read is kept, without its token");
        Leaks(refused).Should().BeEmpty();
    }

    private static k8s.Kubernetes ClientWithToken(ShopCluster cluster) =>
        new(new KubernetesClientConfiguration { Host = cluster.Client.BaseUri.ToString(), AccessToken = Token });

    private static IEnumerable<Exception> Chain(Exception exception)
    {
        for (var current = exception; current is not null; current = current.InnerException)
        {
            yield return current;
        }
    }

    /// <summary>Where the token can still be found: request headers or body of any exception in the chain, or its text.</summary>
    private static List<string> Leaks(Exception exception)
    {
        var leaks = new List<string>();
        foreach (var http in Chain(exception).OfType<HttpOperationException>())
        {
            leaks.AddRange(http.Request?.Headers.Where(h => h.Value.Any(v => v.Contains(Token, StringComparison.Ordinal))).Select(h => $"request header {h.Key}") ?? []);
            if (http.Request?.Content?.Contains(Token, StringComparison.Ordinal) == true)
            {
                leaks.Add("request body");
            }
        }

        if (exception.ToString().Contains(Token, StringComparison.Ordinal))
        {
            leaks.Add("exception text");
        }

        return leaks;
    }

    [Theory]
    [InlineData("https://alice:pa55word@shop.example.test/health?token=abc123&x=1", "HTTP GET https://***@shop.example.test/health?token=***&x=1")]
    [InlineData("http://shop.example.test/health?api_key=abc123", "HTTP GET http://shop.example.test/health?api_key=***")]
    [InlineData("http://shop.example.test/health?page=2", "HTTP GET http://shop.example.test/health?page=2")]
    public void HttpProbe_Name_ShowsNoCredentials(string url, string name)
    {
        SteadyState.Http(url).Name.Should().Be(name);
    }

    [Fact]
    public void HttpProbe_BadUrl_TheErrorShowsNoCredentials()
    {
        var errors = Experiment.On(Pods.In("shop")).Kill().Verify(SteadyState.Http("ftp://bob:pa55word@shop.example.test/")).Validate();

        errors.Should().ContainSingle().Which.Should().NotContain("pa55word").And.Contain("ftp://***@shop.example.test/");
    }
}
