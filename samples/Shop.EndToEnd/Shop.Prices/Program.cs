// Shop.Prices: the price of each article. GET /prices/{sku} -> {"sku":"apple","price":0.5}; GET /healthz -> ok.
// Listens where ASPNETCORE_HTTP_PORTS says (the Deployment sets 8080, as the ASP.NET Core container images do).
var prices = new Dictionary<string, decimal>(StringComparer.Ordinal)
{
    ["apple"] = 0.50m,
    ["bread"] = 2.20m,
    ["milk"] = 1.10m,
};

var builder = WebApplication.CreateSlimBuilder(args);
var app = builder.Build();

app.MapGet("/healthz", () => "ok");
app.MapGet("/prices/{sku}", (string sku) =>
    prices.TryGetValue(sku, out var price) ? Results.Ok(new Price(sku, price)) : Results.NotFound());

await app.RunAsync();

internal sealed record Price(string Sku, decimal Value);
