using System.Net;
using k8s.Autorest;
using Polly;
using Polly.Retry;

namespace Chaos.Testing;

/// <summary>
/// Every call the engine makes to the API: transient answers (429, 5xx, timeouts, dropped connections) are retried
/// with bounded exponential backoff; 403 fails at once with a message naming the verb and resource.
/// </summary>
/// <remarks>
/// A write, once sent, is never abandoned by cancellation: a request cancelled on the wire may still be applied by the
/// API server <em>after</em> recovery has read the object and found nothing to undo (seen as a pod left with a ledger
/// mark and a pause image when a run was cancelled a few milliseconds into its injection). Cancellation is observed
/// before each attempt and between steps; the request itself is bounded by <see cref="WriteTimeout"/>.
/// </remarks>
internal sealed class ApiCalls
{
    /// <summary>How long one write request may take once sent (it is not cancelled by the run's token).</summary>
    public static readonly TimeSpan WriteTimeout = TimeSpan.FromSeconds(30);

    private readonly ResiliencePipeline _pipeline;
    private readonly TimeProvider _time;

    public ApiCalls(TimeProvider time)
    {
        _time = time;
        _pipeline = new ResiliencePipelineBuilder { TimeProvider = time }
            .AddRetry(new RetryStrategyOptions
            {
                ShouldHandle = new PredicateBuilder().Handle<HttpOperationException>(IsTransientStatus).Handle<HttpRequestException>().Handle<TimeoutException>(),
                MaxRetryAttempts = 5,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = TimeSpan.FromMilliseconds(50),
                MaxDelay = TimeSpan.FromSeconds(2),
            })
            .Build();
    }

    /// <summary>Gets how many requests were sent (including retries).</summary>
    public int RequestCount => Volatile.Read(ref _requests);

    private int _requests;

    public async Task<T> CallAsync<T>(string verb, string resource, string? ns, Func<CancellationToken, Task<T>> call, CancellationToken cancellationToken)
    {
        try
        {
            return await _pipeline.ExecuteAsync(
                async ct =>
                {
                    ct.ThrowIfCancellationRequested();
                    Interlocked.Increment(ref _requests);
                    return IsWrite(verb) ? await WriteAsync(call) : await call(ct);
                },
                cancellationToken);
        }
        catch (HttpOperationException ex) when (ex.Response?.StatusCode == HttpStatusCode.Forbidden)
        {
            throw Refused(verb, resource, ns, ex);
        }
        catch (HttpOperationException ex)
        {
            Credentials.Scrub(ex);
            throw;
        }
    }

    /// <summary>One request without retries (the caller handles 429 itself, e.g. an eviction blocked by a PodDisruptionBudget); 403 still refuses.</summary>
    public async Task SendOnceAsync(string verb, string resource, string? ns, Func<CancellationToken, Task> call, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        Interlocked.Increment(ref _requests);
        try
        {
            if (IsWrite(verb))
            {
                await WriteAsync<bool>(async ct =>
                {
                    await call(ct);
                    return true;
                });
            }
            else
            {
                await call(cancellationToken);
            }
        }
        catch (HttpOperationException ex) when (ex.Response?.StatusCode == HttpStatusCode.Forbidden)
        {
            throw Refused(verb, resource, ns, ex);
        }
        catch (HttpOperationException ex)
        {
            Credentials.Scrub(ex);
            throw;
        }
    }

    public Task CallAsync(string verb, string resource, string? ns, Func<CancellationToken, Task> call, CancellationToken cancellationToken) =>
        CallAsync<bool>(verb, resource, ns, async ct =>
        {
            await call(ct);
            return true;
        }, cancellationToken);

    private static bool IsWrite(string verb) => verb is "create" or "update" or "patch" or "delete" or "deletecollection";

    /// <summary>Sends a write that the run's cancellation does not abort (see the class remarks); a hung one times out.</summary>
    private async Task<T> WriteAsync<T>(Func<CancellationToken, Task<T>> call)
    {
        using var timeout = new CancellationTokenSource(WriteTimeout, _time);
        try
        {
            return await call(timeout.Token);
        }
        catch (OperationCanceledException ex) when (timeout.IsCancellationRequested)
        {
            throw new TimeoutException($"the API server did not answer a write within {WriteTimeout.TotalSeconds:0}s", ex);
        }
    }

    public static bool IsNotFound(Exception ex) => ex is HttpOperationException { Response.StatusCode: HttpStatusCode.NotFound };

    public static bool IsConflict(Exception ex) => ex is HttpOperationException { Response.StatusCode: HttpStatusCode.Conflict };

    public static bool IsStatus(Exception ex, HttpStatusCode status) => ex is HttpOperationException op && op.Response?.StatusCode == status;

    /// <summary>Whether a failed request may succeed when sent again (429, 5xx, timeouts, dropped connections).</summary>
    public static bool IsTransient(Exception ex) => ex switch
    {
        HttpOperationException op => IsTransientStatus(op),
        HttpRequestException or TimeoutException => true,
        _ => false,
    };

    private static ChaosRefusedException Refused(string verb, string resource, string? ns, HttpOperationException ex)
    {
        var where = ns is null ? "at cluster scope" : $"in namespace \"{ns}\"";
        return new ChaosRefusedException(
            $"The Kubernetes API refused to {verb} {resource} {where} (403 Forbidden): {ex.Response.Content}. "
            + $"Grant the identity of this kubeconfig the '{verb}' verb on '{resource}' (a Role and RoleBinding), or target objects it may change. Nothing was retried.",
            Credentials.Scrub(ex));
    }

    private static bool IsTransientStatus(HttpOperationException ex) =>
        ex.Response?.StatusCode is HttpStatusCode.TooManyRequests or HttpStatusCode.InternalServerError
            or HttpStatusCode.BadGateway or HttpStatusCode.ServiceUnavailable or HttpStatusCode.GatewayTimeout;
}
