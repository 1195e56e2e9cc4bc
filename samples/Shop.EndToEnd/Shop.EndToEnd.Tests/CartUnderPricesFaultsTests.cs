using Chaos.Testing;
using Chaos.Testing.Xunit;
using FluentAssertions;
using Xunit;
using Xunit.Abstractions;
using static Shop.EndToEnd.Tests.ShopCluster;

namespace Shop.EndToEnd.Tests;

/// <summary>
/// The same fault on prices, at the same time, in both shops; the steady state is the cart as its users see it. The cart
/// without timeouts or retries breaks it (the experiment fails, and says which probe broke); the cart with its Polly
/// pipeline keeps it (the experiment passes).
/// </summary>
public sealed class CartUnderPricesFaultsTests(ShopCluster shop, ITestOutputHelper output) : IClassFixture<ShopCluster>
{
    private static readonly TimeSpan Hold = TimeSpan.FromSeconds(8);

    [ProcessRuntimeFact]
    public Task HalfThePriceRequestsAnswer503() =>
        PlainBreaksResilientHolds(prices => prices.HttpChaos(8080, o =>
        {
            o.Percent = 50;
            o.AbortStatus = 503;
            o.PathPrefix = "/prices/";   // the kubelet's readiness probe (/healthz) is spared: prices stays in its Service
        }));

    [ProcessRuntimeFact]
    public Task HalfThePriceRequestsAreThreeSecondsLate() =>
        PlainBreaksResilientHolds(prices => prices.HttpChaos(8080, o =>
        {
            o.Percent = 50;
            o.Delay = TimeSpan.FromSeconds(3);
            o.PathPrefix = "/prices/";
        }));

    [ProcessRuntimeFact]
    public Task PricesLosesNineInTenOfItsPackets() =>
        PlainBreaksResilientHolds(prices => prices.LosePackets(90));

    /// <summary>
    /// The cart's users' steady state: a cart total answers 200 within 2.5 s, at least three requests in four over any
    /// 3 s, for at least 80% of the hold. Under a fault the plain cart misses it by far (an abort fails it at once; a
    /// delayed price keeps it at least 3 s; a lost reply waits for TCP's retransmissions); the resilient cart answers
    /// within its own 1.2 s budget, which leaves 1.3 s for a loaded machine. A request is given up at 2.5 s too: it
    /// has failed by then, and the engine waits for the probe's next answer before it starts timing the hold.
    /// </summary>
    private static SteadyStateProbe CartAnswers(string url) =>
        SteadyState.Http(url, o =>
        {
            o.MaxLatency = TimeSpan.FromSeconds(2.5);
            o.Timeout = TimeSpan.FromSeconds(2.5);
            o.Window = TimeSpan.FromSeconds(3);
            o.MinSuccessRate = 0.75;
            o.Interval = TimeSpan.FromMilliseconds(200);
        }).Before().During(tolerance: 0.2);

    private async Task PlainBreaksResilientHolds(Func<PodChaos, ChaosExperiment> fault)
    {
        await Task.WhenAll(shop.UntilCartAnswersLiveAsync(Plain), shop.UntilCartAnswersLiveAsync(Resilient));

        ChaosExperiment OnPrices(string ns) =>
            fault(Experiment.On(Pods.In(ns).WithLabel("app", "prices")))
                .For(Hold)
                .Verify(CartAnswers(shop.CartUrl(ns)))
                .WithSafety(s => { s.MaxPercentage = 100; s.MinHealthyRemaining = 0; });   // prices has one pod

        var results = await Task.WhenAll(OnPrices(Plain).RunAsync(shop.Client), OnPrices(Resilient).RunAsync(shop.Client));
        var (plain, resilient) = (results[0], results[1]);
        output.WriteLine($"--- {Plain}: cart with a plain HttpClient");
        output.WriteChaosResult(plain);
        output.WriteLine($"--- {Resilient}: cart with a Polly pipeline");
        output.WriteChaosResult(resilient);

        foreach (var (name, result) in new[] { (Plain, plain), (Resilient, resilient) })
        {
            // What the probe saw, for the reader of the test output: each answer during the hold.
            output.WriteLine($"--- {name}: the probe's samples during the hold");
            foreach (var sample in result.Probes.SelectMany(p => p.Samples))
            {
                output.WriteLine($"{sample.At:HH:mm:ss.fff} {(sample.Held ? "held  " : "BROKEN")} {sample.Observed}");
            }
        }

        plain.Verdict.Should().Be(ExperimentVerdict.Failed, "the cart without timeouts or retries breaks its steady state:\n" + plain.ToReport());
        plain.FailureReason.Should().StartWith($"probe \"{CartAnswers(shop.CartUrl(Plain)).Name}\" was broken for");
        resilient.Should().HaveHeldSteadyState("the cart with a Polly pipeline keeps it");
    }
}
