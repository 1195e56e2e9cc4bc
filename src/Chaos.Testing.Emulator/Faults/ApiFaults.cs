using Chaos.Testing.Emulator.Api;
using Chaos.Testing.Emulator.Server;
using Polly;
using Polly.Simmy;
using Polly.Simmy.Fault;
using Polly.Simmy.Latency;

namespace Chaos.Testing.Emulator;

/// <summary>
/// The API faults in force. Each fault becomes a Polly chaos pipeline (latency, then fault) that wraps the
/// serving of every request it matches.
/// </summary>
public sealed class ApiFaults
{
    private static readonly ResiliencePropertyKey<RequestInfo> RequestKey = new("chaos-emulator.request");
    private static readonly ResiliencePropertyKey<Action> InjectedKey = new("chaos-emulator.injected");

    private readonly object _gate = new();
    private readonly TimeProvider _time;
    private readonly Random _random;
    private readonly List<Rule> _rules = [];
    private long _injected;

    internal ApiFaults(TimeProvider time, int seed)
    {
        _time = time;
        _random = new Random(seed);
    }

    /// <summary>Gets how many faults (errors or delays) have been injected so far.</summary>
    public long InjectedCount => Interlocked.Read(ref _injected);

    /// <summary>Adds a fault. Dispose the result to remove it again.</summary>
    /// <param name="fault">The fault; it is validated now and every problem is reported at once.</param>
    /// <returns>A handle that removes the fault when disposed.</returns>
    /// <exception cref="ArgumentException">The fault is invalid.</exception>
    public IDisposable Add(ApiFault fault)
    {
        ArgumentNullException.ThrowIfNull(fault);
        fault.Validate();
        var rule = new Rule(this, fault);
        lock (_gate)
        {
            _rules.Add(rule);
        }

        return rule;
    }

    /// <summary>Removes every fault.</summary>
    public void Clear()
    {
        lock (_gate)
        {
            _rules.Clear();
        }
    }

    /// <summary>Serves a request through the faults that match it; <paramref name="onInjected"/> runs when one fires.</summary>
    internal async ValueTask ExecuteAsync(RequestInfo request, Func<CancellationToken, ValueTask> serve, Action onInjected, CancellationToken cancellationToken)
    {
        Rule[] rules;
        lock (_gate)
        {
            rules = _rules.Where(r => r.Matches(request)).ToArray();
        }

        if (rules.Length == 0)
        {
            await serve(cancellationToken);
            return;
        }

        var context = ResilienceContextPool.Shared.Get(cancellationToken);
        try
        {
            context.Properties.Set(RequestKey, request);
            context.Properties.Set(InjectedKey, onInjected);
            Func<ResilienceContext, ValueTask> next = ctx => serve(ctx.CancellationToken);
            foreach (var rule in Enumerable.Reverse(rules))
            {
                var inner = next;
                next = ctx => rule.Pipeline.ExecuteAsync(static (c, state) => state(c), ctx, inner);
            }

            await next(context);
        }
        finally
        {
            ResilienceContextPool.Shared.Return(context);
        }
    }

    private double NextDouble()
    {
        lock (_random)
        {
            return _random.NextDouble();
        }
    }

    private void Remove(Rule rule)
    {
        lock (_gate)
        {
            _rules.Remove(rule);
        }
    }

    private static string ReasonFor(int code) => code switch
    {
        400 => "BadRequest",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "NotFound",
        409 => "Conflict",
        410 => "Expired",
        422 => "Invalid",
        429 => "TooManyRequests",
        500 => "InternalError",
        503 => "ServiceUnavailable",
        504 => "Timeout",
        _ => "Unknown",
    };

    private sealed class Rule : IDisposable
    {
        private readonly ApiFaults _owner;
        private int _remaining;

        public Rule(ApiFaults owner, ApiFault fault)
        {
            _owner = owner;
            Fault = fault;
            _remaining = fault.Times ?? int.MaxValue;
            var builder = new ResiliencePipelineBuilder { TimeProvider = owner._time };
            if (fault.Latency > TimeSpan.Zero)
            {
                builder.AddChaosLatency(new ChaosLatencyStrategyOptions
                {
                    Latency = fault.Latency,
                    InjectionRate = fault.Probability,
                    Randomizer = owner.NextDouble,
                    EnabledGenerator = _ => ValueTask.FromResult(Volatile.Read(ref _remaining) > 0),
                    OnLatencyInjected = args => Count(args.Context),
                });
            }

            if (fault.StatusCode is { } code)
            {
                builder.AddChaosFault(new ChaosFaultStrategyOptions
                {
                    InjectionRate = fault.Probability,
                    Randomizer = owner.NextDouble,
                    EnabledGenerator = _ => ValueTask.FromResult(Volatile.Read(ref _remaining) > 0),
                    FaultGenerator = args => ValueTask.FromResult<Exception?>(CreateError(code, args.Context)),
                    OnFaultInjected = args => Count(args.Context),
                });
            }

            Pipeline = builder.Build();
        }

        public ApiFault Fault { get; }

        public ResiliencePipeline Pipeline { get; }

        public bool Matches(RequestInfo request) =>
            request.IsResourceRequest
            && Volatile.Read(ref _remaining) > 0
            && (Fault.Verbs is null || Fault.Verbs.Contains(request.Verb))
            && (Fault.Resource is null || Fault.Resource == request.Resource
                || Fault.Resource == $"{request.Resource}/{request.Subresource}")
            && (Fault.Namespace is null || Fault.Namespace == request.Namespace);

        public void Dispose() => _owner.Remove(this);

        private ValueTask Count(ResilienceContext context)
        {
            context.Properties.GetValue(InjectedKey, static () => { })();
            Interlocked.Decrement(ref _remaining);
            Interlocked.Increment(ref _owner._injected);
            return default;
        }

        private static ApiException CreateError(int code, ResilienceContext context)
        {
            var request = context.Properties.GetValue(RequestKey, null!);
            var what = request is null ? "request" : $"{request.Verb} {request.Resource}";
            var details = code == 429 ? new System.Text.Json.Nodes.JsonObject { ["retryAfterSeconds"] = 1 } : null;
            return new ApiException(code, ReasonFor(code), $"fault injected by the Kubernetes emulator: {what} answered {code}", details) { Injected = true };
        }
    }
}
