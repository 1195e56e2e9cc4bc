// Shop.Cart: GET /cart/total -> the sum of the cart's prices, each asked of the prices service at the same time.
// PRICES_URL (default http://prices:8080/) reaches prices through its Service's name, as in a cluster.
// CART_RESILIENCE=none  (default): a plain HttpClient - its default 100 s timeout, no retry, no fallback.
// CART_RESILIENCE=polly          : each price through a Polly resilience pipeline (see PriceLookup.Resilient).
using Shop.Cart;

string[] cart = ["apple", "bread", "milk", "milk"];
var prices = new Uri(Environment.GetEnvironmentVariable("PRICES_URL") ?? "http://prices:8080/");
using var lookup = PriceLookup.Create(Environment.GetEnvironmentVariable("CART_RESILIENCE"), prices);

var builder = WebApplication.CreateSlimBuilder(args);
var app = builder.Build();

app.MapGet("/healthz", () => "ok");
app.MapGet("/cart/total", async (CancellationToken cancellationToken) =>
{
    try
    {
        var quotes = await Task.WhenAll(cart.Select(sku => lookup.GetAsync(sku, cancellationToken)));
        return Results.Ok(new CartTotal(quotes.Sum(q => q.Price), quotes.Count(q => q.Stale), lookup.Mode));
    }
    catch (Exception ex) when (ex is HttpRequestException or Polly.Timeout.TimeoutRejectedException)
    {
        // What the cart's callers see when prices could not be asked: 502, and why.
        return Results.Problem($"prices: {ex.Message}", statusCode: StatusCodes.Status502BadGateway);
    }
});

await app.RunAsync();

/// <summary>The cart's answer: the total, how many of its prices were the last known ones (not asked now), and the mode.</summary>
internal sealed record CartTotal(decimal Total, int StalePrices, string Resilience);
