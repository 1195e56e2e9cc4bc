using System.Text;
using System.Text.Json.Nodes;
using Chaos.Testing.Emulator.Api;
using Chaos.Testing.Emulator.Controllers;
using Microsoft.AspNetCore.Http;

namespace Chaos.Testing.Emulator.Server;

/// <content>
/// The <c>pods/log</c> subresource. No process runs in the emulator, so logs are what its containers stand for: a
/// Chaos.Testing payload prints what <see cref="PayloadSimulation"/> says it does (<see cref="PayloadProtocol.InstalledMarker"/>)
/// once it runs, a container that failed prints its termination message, every other container prints nothing. The
/// errors are the API server's: no container named when the pod has several, an unknown container, one not started.
/// </content>
internal sealed partial class ApiServer
{
    private async Task GetLogAsync(HttpContext context, RequestInfo request, CancellationToken cancellationToken)
    {
        if (request.Verb != "get")
        {
            throw ApiException.MethodNotAllowed($"the server does not allow this method on the requested resource ({request.Verb} pods/log)");
        }

        var pod = _store.GetRequired(request.Type!, request.Namespace, request.Name!).Node;
        var podName = request.Name!;
        var containers = Names(pod["spec"]?["containers"]);
        var ephemeral = Names(pod["spec"]?["ephemeralContainers"]);
        var init = Names(pod["spec"]?["initContainers"]);
        var name = context.Request.Query["container"].ToString();
        if (name.Length == 0)
        {
            if (containers.Count != 1)
            {
                throw ApiException.BadRequest(
                    $"a container name must be specified for pod {podName}, choose one of: [{string.Join(' ', containers)}]"
                    + (init.Count > 0 ? $" or one of the init containers: [{string.Join(' ', init)}]" : string.Empty)
                    + (ephemeral.Count > 0 ? $" or one of the ephemeral containers: [{string.Join(' ', ephemeral)}]" : string.Empty));
            }

            name = containers[0];
        }

        var (spec, status) = ephemeral.Contains(name)
            ? (Find(pod["spec"]?["ephemeralContainers"], name), Find(pod["status"]?["ephemeralContainerStatuses"], name))
            : containers.Contains(name)
                ? (Find(pod["spec"]?["containers"], name), Find(pod["status"]?["containerStatuses"], name))
                : init.Contains(name)
                    ? (Find(pod["spec"]?["initContainers"], name), Find(pod["status"]?["initContainerStatuses"], name))
                    : throw ApiException.BadRequest($"container {name} is not valid for pod {podName}");

        // A container that really ran has a log even while it waits to restart (CrashLoopBackOff): its last run's.
        if (Logs?.Find(pod["metadata"]?["uid"]?.ToString() ?? string.Empty, podName, name, QueryParameters.Bool(context.Request.Query, "previous")) is { } file
            && File.Exists(file.Path))
        {
            await WriteRealLogAsync(context, file, cancellationToken);
            return;
        }

        var state = status?["state"];
        if (state?["running"] is null && state?["terminated"] is null)
        {
            var reason = state?["waiting"]?["reason"]?.ToString() ?? "ContainerCreating";
            throw ApiException.BadRequest($"container \"{name}\" in pod \"{podName}\" is waiting to start: {reason}");
        }

        var text = string.Empty;
        if (state["terminated"] is JsonObject ended && ended["exitCode"]?.GetValue<int>() is not (null or 0))
        {
            text = ended["message"]?.ToString() ?? string.Empty;
        }
        else if (PayloadSimulation.Log(spec) is { } printed)
        {
            text = printed;
        }

        var body = Encoding.UTF8.GetBytes(text.Length == 0 || text.EndsWith('\n') ? text : text + "\n");
        context.Response.StatusCode = 200;
        context.Response.ContentType = "text/plain";
        var follow = QueryParameters.Bool(context.Request.Query, "follow") && state["running"] is not null;
        if (!follow)
        {
            context.Response.ContentLength = body.Length;
        }

        await context.Response.Body.WriteAsync(body, cancellationToken);
        if (follow)
        {
            // As the kubelet does: a followed log stays open while the container runs (it prints nothing more here).
            await context.Response.Body.FlushAsync(cancellationToken);
            await WaitWhileRunningAsync(request, pod["metadata"]?["uid"]?.ToString(), name, cancellationToken);
        }
    }

    private static readonly string[] StatusLists = ["containerStatuses", "initContainerStatuses", "ephemeralContainerStatuses"];

    private async Task WaitWhileRunningAsync(RequestInfo request, string? uid, string container, CancellationToken cancellationToken)
    {
        var start = _store.Get(request.Type!, request.Namespace, request.Name!);
        using var subscription = _store.Subscribe(request.Type!, start?.ResourceVersion.ToString(System.Globalization.CultureInfo.InvariantCulture));
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, subscription.Closed);
        if (start is null || !IsRunning(start.Node, uid, container))
        {
            return;
        }

        await foreach (var e in subscription.Reader.ReadAllAsync(linked.Token))
        {
            if (e.Object.Namespace == request.Namespace && e.Object.Name == request.Name
                && (e.Type == Storage.StoreEvent.Deleted || !IsRunning(e.Object.Node, uid, container)))
            {
                return;
            }
        }
    }

    private static bool IsRunning(JsonObject pod, string? uid, string container) =>
        pod["metadata"]?["uid"]?.ToString() == uid
        && StatusLists.Any(list => Find(pod["status"]?[list], container)?["state"]?["running"] is not null);

    private static List<string> Names(JsonNode? list) =>
        (list as JsonArray ?? []).OfType<JsonObject>().Select(c => c["name"]?.ToString() ?? string.Empty).ToList();

    private static JsonObject? Find(JsonNode? list, string name) =>
        (list as JsonArray ?? []).OfType<JsonObject>().FirstOrDefault(c => c["name"]?.ToString() == name);
}
