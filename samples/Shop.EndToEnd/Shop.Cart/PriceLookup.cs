using System.Collections.Concurrent;
using Polly;
using Polly.Fallback;
using Polly.Retry;
using Polly.Timeout;

namespace Shop.Cart;

/// <summary>A price, and whether it is the last known one rather than an answer of prices now.</summary>
internal readonly record struct Quote(decimal Price, bool Stale);

/// <summary>What prices answers (camelCase JSON: <c>{"sku":"apple","value":0.5}</c>).</summary>
internal sealed record Price(string Sku, decimal Value);

/// <summary>How the cart asks prices for a price.</summary>
internal abstract class PriceLookup(Uri prices) : IDisposable
{
    // Both modes share this client. A connection is reused for at most a second (PooledConnectionLifetime, as advised
    // for HttpClient in clusters, where the endpoints behind a name change): faults that act on new connections, as
    // HTTP chaos does, reach the cart within a second, not when an idle keep-alive connection happens to close.
    protected HttpClient Http { get; } = new(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromSeconds(1) }) { BaseAddress = prices };

    public abstract string Mode { get; }

    public static PriceLookup Create(string? mode, Uri prices) => mode switch
    {
        null or "" or "none" => new Plain(prices),
        "polly" => new Resilient(prices),
        _ => throw new ArgumentException($"CART_RESILIENCE must be none or polly, was \"{mode}\"", nameof(mode)),
    };

    public abstract Task<Quote> GetAsync(string sku, CancellationToken cancellationToken);

    public void Dispose() => Http.Dispose();

    protected async Task<decimal> AskAsync(string sku, CancellationToken cancellationToken)
    {
        // Throws HttpRequestException for a refused connection and for any status but 2xx.
        var price = await Http.GetFromJsonAsync<Price>($"prices/{Uri.EscapeDataString(sku)}", cancellationToken);
        return price?.Value ?? throw new HttpRequestException($"prices answered no price for {sku}");
    }

    /// <summary>The code most services start with: ask, and wait as long as it takes (HttpClient's 100 s).</summary>
    private sealed class Plain(Uri prices) : PriceLookup(prices)
    {
        public override string Mode => "none";

        public override async Task<Quote> GetAsync(string sku, CancellationToken cancellationToken) =>
            new(await AskAsync(sku, cancellationToken), Stale: false);
    }

    /// <summary>
    /// Each ask through a Polly v8 pipeline, outermost first: a fallback to the last price prices gave for the article;
    /// a 1.2 s budget for the whole ask; up to 5 retries, 20 ms apart, of errors and slow attempts; a 400 ms timeout
    /// per attempt (prices answers in a few milliseconds when it is well).
    /// </summary>
    private sealed class Resilient : PriceLookup
    {
        private static readonly ResiliencePropertyKey<string> SkuKey = new("sku");
        private readonly ConcurrentDictionary<string, decimal> _lastKnown = new(StringComparer.Ordinal);
        private readonly ResiliencePipeline<Quote> _pipeline;

        public Resilient(Uri prices)
            : base(prices)
        {
            static bool Transient(Outcome<Quote> outcome) => outcome.Exception is HttpRequestException or TimeoutRejectedException;

            _pipeline = new ResiliencePipelineBuilder<Quote>()
                .AddFallback(new FallbackStrategyOptions<Quote>
                {
                    ShouldHandle = args => ValueTask.FromResult(Transient(args.Outcome)),
                    FallbackAction = args =>
                        _lastKnown.TryGetValue(args.Context.Properties.GetValue(SkuKey, string.Empty), out var last)
                            ? Outcome.FromResultAsValueTask(new Quote(last, Stale: true))
                            : ValueTask.FromResult(args.Outcome),   // never priced yet: the error stands
                })
                .AddTimeout(TimeSpan.FromMilliseconds(1200))
                .AddRetry(new RetryStrategyOptions<Quote>
                {
                    ShouldHandle = args => ValueTask.FromResult(Transient(args.Outcome)),
                    MaxRetryAttempts = 5,
                    Delay = TimeSpan.FromMilliseconds(20),
                    BackoffType = DelayBackoffType.Constant,
                    UseJitter = true,
                })
                .AddTimeout(TimeSpan.FromMilliseconds(400))
                .Build();
        }

        public override string Mode => "polly";

        public override async Task<Quote> GetAsync(string sku, CancellationToken cancellationToken)
        {
            var context = ResilienceContextPool.Shared.Get(cancellationToken);
            try
            {
                context.Properties.Set(SkuKey, sku);
                return await _pipeline.ExecuteAsync(
                    async (ctx, s) =>
                    {
                        var price = await AskAsync(s, ctx.CancellationToken);
                        _lastKnown[s] = price;
                        return new Quote(price, Stale: false);
                    },
                    context,
                    sku);
            }
            finally
            {
                ResilienceContextPool.Shared.Return(context);
            }
        }
    }
}
