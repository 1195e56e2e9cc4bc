using System.Net;
using System.Text;
using System.Text.Json.Nodes;

namespace Chaos.Testing.Emulator.Tests.Server;

/// <summary>An exception the emulator did not expect is answered as the API server answers a panic: 500 with a Status.</summary>
public sealed class InternalErrorTests
{
    [Theory]
    [InlineData("GET", "/api/v1/namespaces")]
    [InlineData("POST", "/api/v1/namespaces/default/configmaps")]
    public async Task Request_HandlerThrowsUnexpectedly_Answers500WithAStatusAndTheNextRequestWorks(string method, string path)
    {
        // Arrange: a clock that fails on demand makes any handler throw something it does not expect.
        var clock = new FailingClock();
        await using var cluster = await KubernetesEmulator.StartAsync(o => o.TimeProvider = clock);
        using var http = new HttpClient { BaseAddress = cluster.BaseAddress };
        using var request = new HttpRequestMessage(new HttpMethod(method), path)
        {
            Content = new StringContent("""{"metadata":{"name":"settings"}}""", Encoding.UTF8, "application/json"),
        };

        // Act
        clock.Fail = true;
        using var response = await http.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();
        clock.Fail = false;
        using var next = await http.GetAsync("/api/v1/namespaces");

        // Assert
        response.StatusCode.Should().Be(HttpStatusCode.InternalServerError);
        var status = JsonNode.Parse(body)!;
        status["kind"]!.ToString().Should().Be("Status");
        status["reason"]!.ToString().Should().Be("InternalError");
        status["code"]!.GetValue<int>().Should().Be(500);
        status["message"]!.ToString().Should().Contain("the test's clock failed");
        cluster.ServerError.Should().BeOfType<InvalidOperationException>();
        next.StatusCode.Should().Be(HttpStatusCode.OK);
    }

    private sealed class FailingClock : TimeProvider
    {
        public volatile bool Fail;

        public override DateTimeOffset GetUtcNow() =>
            Fail ? throw new InvalidOperationException("the test's clock failed") : base.GetUtcNow();
    }
}
