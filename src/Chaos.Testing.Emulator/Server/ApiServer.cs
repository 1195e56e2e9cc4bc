using System.Net;
using Chaos.Testing.Emulator.Api;
using Chaos.Testing.Emulator.Patching;
using Chaos.Testing.Emulator.Policy;
using Chaos.Testing.Emulator.Storage;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Chaos.Testing.Emulator.Server;

/// <summary>
/// The HTTP front of the emulator: Kestrel on loopback, one terminal handler that audits, authorizes, injects
/// API faults and then routes to discovery or to the resource handlers.
/// </summary>
internal sealed partial class ApiServer : IAsyncDisposable
{
    private readonly ResourceStore _store;
    private readonly AuditLog _audit;
    private readonly ApiFaults _faults;
    private readonly ApiAuthorization _authorization;
    private readonly TimeProvider _time;
    private readonly Admission _admission;
    private readonly CancellationTokenSource _stopping = new();
    private readonly object _evictionGate = new();
    private WebApplication? _app;

    public ApiServer(ResourceStore store, AuditLog audit, ApiFaults faults, ApiAuthorization authorization, TimeProvider time, Admission admission)
    {
        _admission = admission;
        _store = store;
        _audit = audit;
        _faults = faults;
        _authorization = authorization;
        _time = time;
    }

    public Uri BaseAddress { get; private set; } = new("http://127.0.0.1");

    /// <summary>Gets or sets where real container logs come from (the process runtime), or null: logs are what the simulated kubelet says.</summary>
    public IContainerLogSource? Logs { get; set; }

    /// <summary>Gets the last exception a request handler did not expect (answered 500), or null; tests assert it stays null.</summary>
    public Exception? LastInternalError { get; private set; }

    public async Task StartAsync(int port, CancellationToken cancellationToken)
    {
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        builder.WebHost.UseKestrelCore();
        builder.WebHost.ConfigureKestrel(options =>
        {
            options.Listen(IPAddress.Loopback, port);
            options.AddServerHeader = false;
            // Bodies over Json.MaxBodyBytes are refused with a 413 Status; Kestrel reads (and drops) up to this much of
            // what the client is still sending, so that the client gets to read that answer instead of a reset connection.
            options.Limits.MaxRequestBodySize = 4L * Json.MaxBodyBytes;
        });
        builder.Services.AddRoutingCore();
        var app = builder.Build();
        app.Run(HandleAsync);
        await app.StartAsync(cancellationToken);
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        BaseAddress = new Uri(address.Replace("[::]", "127.0.0.1", StringComparison.Ordinal));
        _app = app;
    }

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync();
        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }

        _stopping.Dispose();
    }

    private async Task HandleAsync(HttpContext context)
    {
        try
        {
            await HandleRequestAsync(context);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // Even before the request is parsed and audited (a failing clock): never Kestrel's empty 500.
            LastInternalError = ex;
            await WriteErrorAsync(context, ApiException.Internal(ex));
        }
    }

    private async Task HandleRequestAsync(HttpContext context)
    {
        var arrived = _time.GetUtcNow();
        var request = RequestInfo.Parse(context.Request, _store.FindType);
        var injected = false;
        var recorded = 0;

        // Record when the answer starts, so the entry exists before the client can see the response.
        void Record()
        {
            if (Interlocked.Exchange(ref recorded, 1) == 0)
            {
                _audit.Record(new AuditEntry(
                    arrived,
                    request.Verb,
                    context.Request.Method,
                    request.Path,
                    context.Request.QueryString.Value ?? string.Empty,
                    request.Resource,
                    request.Subresource,
                    request.Namespace,
                    request.Name,
                    context.Request.Headers.UserAgent.ToString(),
                    context.Response.StatusCode,
                    injected));
            }
        }

        context.Response.OnStarting(() =>
        {
            Record();
            return Task.CompletedTask;
        });
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, _stopping.Token);
        var cancellationToken = linked.Token;
        try
        {
            RequestGuard.Check(context.Request);
            await _faults.ExecuteAsync(request, ct => new ValueTask(RouteAsync(context, request, ct)), () => injected = true, cancellationToken);
        }
        catch (ApiException ex)
        {
            injected |= ex.Injected;
            await WriteErrorAsync(context, ex);
        }
        catch (PatchException ex)
        {
            await WriteErrorAsync(context, new ApiException(422, "Invalid", ex.Message));
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The client went away or the emulator is stopping; nothing is left to answer.
        }
        catch (BadHttpRequestException ex)
        {
            // Kestrel's own limits (the request body size) while the body is read.
            await WriteErrorAsync(context, ex.StatusCode == StatusCodes.Status413PayloadTooLarge
                ? new ApiException(413, "RequestEntityTooLarge", $"the request is too large: {ex.Message}")
                : ApiException.BadRequest(ex.Message));
        }
        catch (Exception ex)
        {
            // A bug of the emulator: answered as the API server answers a panic, a 500 with a Status, never an empty body.
            LastInternalError = ex;
            await WriteErrorAsync(context, ApiException.Internal(ex));
        }
        finally
        {
            Record();
        }
    }

    private static async Task WriteErrorAsync(HttpContext context, ApiException ex)
    {
        if (context.Response.HasStarted)
        {
            return;
        }

        if (ex.Code == 429)
        {
            context.Response.Headers.RetryAfter = "1";
        }

        await Json.WriteAsync(context.Response, ex.Code, ex.ToStatus(), CancellationToken.None);
    }

    private async Task RouteAsync(HttpContext context, RequestInfo request, CancellationToken cancellationToken)
    {
        if (!request.IsResourceRequest || request.Type is null)
        {
            await ServeNonResourceAsync(context, request, cancellationToken);
            return;
        }

        _authorization.Check(request);
        var type = request.Type;
        if (type.Namespaced && request.Namespace is null && request.Verb is not ("list" or "watch" or "deletecollection"))
        {
            throw ApiException.NotFound(type, request.Name ?? string.Empty);
        }

        if (request.Subresource is not null && !type.Subresources.Contains(request.Subresource))
        {
            throw new ApiException(404, "NotFound", $"the server could not find the requested resource ({request.Verb} {type.Plural}/{request.Subresource})");
        }

        if (VersionConversion.IsView(type))
        {
            await ServeViewAsync(context, request, cancellationToken);
            return;
        }

        if (request.Subresource == "scale")
        {
            await ScaleAsync(context, request, cancellationToken);
            return;
        }

        if (request.Subresource == "log")
        {
            await GetLogAsync(context, request, cancellationToken);
            return;
        }

        if (!type.Verbs.Contains(request.Verb) && request.Subresource is null)
        {
            throw ApiException.MethodNotAllowed($"the server does not allow this method on the requested resource ({request.Verb} {type})");
        }

        switch (request.Verb)
        {
            case "get":
                await GetAsync(context, request, cancellationToken);
                break;
            case "list":
                await ListAsync(context, request, cancellationToken);
                break;
            case "watch":
                await WatchAsync(context, request, cancellationToken);
                break;
            case "create":
                await CreateAsync(context, request, cancellationToken);
                break;
            case "update":
                await UpdateAsync(context, request, cancellationToken);
                break;
            case "patch":
                await PatchAsync(context, request, cancellationToken);
                break;
            case "delete":
                await DeleteAsync(context, request, cancellationToken);
                break;
            case "deletecollection":
                await DeleteCollectionAsync(context, request, cancellationToken);
                break;
            default:
                throw ApiException.MethodNotAllowed($"the server does not allow this method on the requested resource ({context.Request.Method})");
        }
    }

    private async Task ServeNonResourceAsync(HttpContext context, RequestInfo request, CancellationToken cancellationToken)
    {
        if (request.Path is "/healthz" or "/livez" or "/readyz")
        {
            context.Response.ContentType = "text/plain";
            await context.Response.WriteAsync("ok", cancellationToken);
            return;
        }

        if (HttpMethods.IsGet(context.Request.Method) && await TryServeOpenApiAsync(context, request.Path, cancellationToken))
        {
            return;
        }

        if (HttpMethods.IsGet(context.Request.Method) && Discovery.TryGet(request.Path, $"{BaseAddress.Host}:{BaseAddress.Port}", _store.Types()) is { } document)
        {
            await Json.WriteAsync(context.Response, 200, document, cancellationToken);
            return;
        }

        throw new ApiException(404, "NotFound", $"the server could not find the requested resource ({context.Request.Method} {request.Path})");
    }
}
