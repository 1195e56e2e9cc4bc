using Chaos.Testing;
using k8s;

// Usage: Chaos.Testing.CrashHost hold <kubeconfig>          starts four experiments that hold for ten minutes
//        Chaos.Testing.CrashHost sweep <kubeconfig>         runs the janitor once and prints its result
//        Chaos.Testing.CrashHost fault <name> <kubeconfig>  runs the catalog sample of one fault, held for ten minutes
if (!(args.Length == 2 && args[0] is "hold" or "sweep") && !(args.Length == 3 && args[0] == "fault"))
{
    Console.Error.WriteLine("usage: Chaos.Testing.CrashHost hold|sweep <kubeconfig> | fault <name> <kubeconfig>");
    return 2;
}

var client = new Kubernetes(KubernetesClientConfiguration.BuildConfigFromConfigFile(args[^1]));

// This host is killed mid-hold: a short Lease lets the next process's janitor see it stopped renewing within seconds.
RunLease.Duration = TimeSpan.FromSeconds(1);
if (args[0] == "fault")
{
    var fault = FaultCatalog.Find(args[1]) ?? throw new ArgumentException($"no fault {args[1]} in the catalog");
    var cart = Pods.In("shop").WithLabel("app", "cart");
    var sample = fault.Sample(new FaultSampleTargets(Experiment.On(cart), Experiment.On(Nodes.All()), cart));
    Console.WriteLine("started");
    await RunAsync(sample.For(TimeSpan.FromMinutes(10)).WithoutEvents());
    Console.WriteLine("finished (the test should have killed this process)");
    return 3;
}

if (args[0] == "sweep")
{
    var sweep = await ChaosJanitor.SweepAsync(client, new SweepOptions().RecoverCustom("mark-namespace", UnmarkAsync));
    Console.WriteLine(sweep);
    return sweep.Failed.Count == 0 ? 0 : 1;
}

var hold = TimeSpan.FromMinutes(10);
var runs = new[]
{
    Experiment.On(Pods.In("shop").WithLabel("app", "cart")).WithSeed(1).Fail().For(hold).WithoutEvents(),
    Experiment.On(Nodes.Named("node-1")).Taint(o => o.Effect = TaintEffect.NoSchedule).For(hold).WithoutEvents(),
    Experiment.On(Nodes.Named("node-2")).Cordon().For(hold).WithoutEvents(),
    Experiment.On(Pods.In("shop").WithLabel("app", "cart")).WithSeed(2).Inject(MarkAsync, UnmarkAsync, name: "mark-namespace").For(hold).WithoutEvents(),
}.Select(RunAsync).ToList();

Console.WriteLine("started");
await Task.WhenAll(runs);
Console.WriteLine("finished (the test should have killed this process)");
return 3;

async Task RunAsync(ChaosExperiment experiment)
{
    try
    {
        var result = await experiment.RunAsync(client);
        Console.WriteLine(result.ToReport());
    }
    catch (Exception ex)
    {
        Console.Error.WriteLine($"{experiment.Description}: {ex}");
    }
}

static async Task MarkAsync(CustomFaultContext context, CancellationToken cancellationToken)
{
    var ns = await context.Client.CoreV1.ReadNamespaceAsync("shop", cancellationToken: cancellationToken);
    ns.Metadata.Labels["crash-test/marked"] = "true";
    await context.Client.CoreV1.ReplaceNamespaceAsync(ns, "shop", cancellationToken: cancellationToken);
}

static async Task UnmarkAsync(CustomFaultContext context, CancellationToken cancellationToken)
{
    var ns = await context.Client.CoreV1.ReadNamespaceAsync("shop", cancellationToken: cancellationToken);
    if (ns.Metadata.Labels.Remove("crash-test/marked"))
    {
        await context.Client.CoreV1.ReplaceNamespaceAsync(ns, "shop", cancellationToken: cancellationToken);
    }
}
