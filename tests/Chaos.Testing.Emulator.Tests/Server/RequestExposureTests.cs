using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Chaos.Testing.Emulator.Tests.Support;
using k8s;

namespace Chaos.Testing.Emulator.Tests.Server;

/// <summary>
/// What a web page on the same machine can send is refused: a foreign Host (DNS rebinding), a foreign Origin, and
/// writes whose content type a page may send without a CORS preflight (text/plain, forms, none).
/// </summary>
public sealed class RequestExposureTests : EmulatorTest
{
    private const string ConfigMapJson = """{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"from-a-page"},"data":{"k":"v"}}""";

    [Theory]
    [InlineData("attacker.example")]
    [InlineData("attacker.example:{port}")]
    [InlineData("127.0.0.1.nip.io:{port}")]
    [InlineData("2130706433:{port}")]
    [InlineData("10.0.0.1:{port}")]
    public async Task Request_ForeignHostHeader_Answers403WithAStatus(string host)
    {
        // Arrange
        using var http = new HttpClient { BaseAddress = Cluster.BaseAddress };
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/v1/namespaces");
        request.Headers.Host = host.Replace("{port}", Cluster.BaseAddress.Port.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal);

        // Act
        using var response = await http.SendAsync(request);

        // Assert
        response.StatusCode.Should().Be(HttpStatusCode.Forbidden);
        var status = await StatusOf(response);
        status["reason"]!.ToString().Should().Be("Forbidden");
        status["message"]!.ToString().Should().Contain("loopback host");
    }

    [Theory]
    [InlineData("localhost:{port}")]
    [InlineData("127.0.0.1:{port}")]
    [InlineData("[::1]:{port}")]
    [InlineData("LOCALHOST")]
    public async Task Request_LoopbackHostHeader_IsServed(string host)
    {
        // Arrange
        using var http = new HttpClient { BaseAddress = Cluster.BaseAddress };
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/v1/namespaces");
        request.Headers.Host = host.Replace("{port}", Cluster.BaseAddress.Port.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal);

        // Act
        using var response = await http.SendAsync(request);

        // Assert
        response.StatusCode.Should().Be(HttpStatusCode.OK);
    }

    [Theory]
    [InlineData("https://attacker.example")]
    [InlineData("null")]
    public async Task Request_ForeignOrigin_Answers403(string origin)
    {
        // Arrange
        using var http = new HttpClient { BaseAddress = Cluster.BaseAddress };
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/v1/namespaces");
        request.Headers.Add("Origin", origin);

        // Act
        using var response = await http.SendAsync(request);

        // Assert
        response.StatusCode.Should().Be(HttpStatusCode.Forbidden);
        (await StatusOf(response))["message"]!.ToString().Should().Contain("web pages");
    }

    [Theory]
    [InlineData("text/plain")]
    [InlineData("text/plain;charset=UTF-8")]
    [InlineData("application/x-www-form-urlencoded")]
    [InlineData("multipart/form-data; boundary=x")]
    [InlineData(null)]
    public async Task Post_ContentTypeABrowserSendsWithoutPreflight_Answers415AndCreatesNothing(string? contentType)
    {
        // Arrange
        using var http = new HttpClient { BaseAddress = Cluster.BaseAddress };
        using var content = new ByteArrayContent(Encoding.UTF8.GetBytes(ConfigMapJson));
        content.Headers.ContentType = contentType is null ? null : MediaTypeHeaderValue.Parse(contentType);

        // Act
        using var response = await http.PostAsync($"/api/v1/namespaces/{Ns}/configmaps", content);

        // Assert
        response.StatusCode.Should().Be(HttpStatusCode.UnsupportedMediaType);
        (await StatusOf(response))["reason"]!.ToString().Should().Be("UnsupportedMediaType");
        (await Client.CoreV1.ListNamespacedConfigMapAsync(Ns)).Items.Own().Should().BeEmpty("nothing a page sends is stored");
    }

    [Fact]
    public async Task Post_Json_IsCreated()
    {
        // Arrange
        using var http = new HttpClient { BaseAddress = Cluster.BaseAddress };
        using var content = new StringContent(ConfigMapJson, Encoding.UTF8, "application/json");

        // Act
        using var response = await http.PostAsync($"/api/v1/namespaces/{Ns}/configmaps", content);

        // Assert
        response.StatusCode.Should().Be(HttpStatusCode.Created);
    }

    [Fact]
    public async Task Post_Yaml_Answers415SayingTheEmulatorReadsJson()
    {
        // Arrange
        using var http = new HttpClient { BaseAddress = Cluster.BaseAddress };
        using var content = new StringContent("kind: ConfigMap", Encoding.UTF8, "application/yaml");

        // Act
        using var response = await http.PostAsync($"/api/v1/namespaces/{Ns}/configmaps", content);

        // Assert
        response.StatusCode.Should().Be(HttpStatusCode.UnsupportedMediaType);
        (await StatusOf(response))["message"]!.ToString().Should().Contain("reads JSON and protobuf bodies only");
    }

    private static async Task<JsonObject> StatusOf(HttpResponseMessage response)
    {
        var status = JsonNode.Parse(await response.Content.ReadAsStringAsync())!.AsObject();
        status["kind"]!.ToString().Should().Be("Status");
        status["code"]!.GetValue<int>().Should().Be((int)response.StatusCode);
        return status;
    }
}
