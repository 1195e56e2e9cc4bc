using System.Net;
using FluentAssertions.Specialized;
using k8s;
using k8s.Autorest;
using k8s.Models;

namespace Chaos.Testing.Emulator.Tests.Support;

/// <summary>Asserting the HTTP errors the emulator answers, as the client surfaces them.</summary>
public static class ApiErrors
{
    /// <summary>Asserts that <paramref name="call"/> fails with <paramref name="code"/>, and returns the Status the server sent.</summary>
    /// <param name="call">The client call.</param>
    /// <param name="code">The expected HTTP status.</param>
    /// <returns>The <c>Status</c> body.</returns>
    public static async Task<V1Status> ShouldFailWithAsync(this Func<Task> call, HttpStatusCode code)
    {
        ArgumentNullException.ThrowIfNull(call);
        ExceptionAssertions<HttpOperationException> thrown = await call.Should().ThrowAsync<HttpOperationException>();
        var ex = thrown.Which;
        ex.Response.StatusCode.Should().Be(code, "the server answered: {0}", ex.Response.Content);
        return ex.Status();
    }

    /// <summary>Reads the <c>Status</c> object of an error response.</summary>
    /// <param name="ex">The client's exception.</param>
    /// <returns>The status.</returns>
    public static V1Status Status(this HttpOperationException ex)
    {
        ArgumentNullException.ThrowIfNull(ex);
        ex.Response.Content.Should().NotBeNullOrEmpty("an API error carries a Status body");
        var status = KubernetesJson.Deserialize<V1Status>(ex.Response.Content);
        status.Kind.Should().Be("Status");
        return status;
    }
}
