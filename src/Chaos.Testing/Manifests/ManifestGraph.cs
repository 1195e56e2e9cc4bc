namespace Chaos.Testing;

/// <summary>The rules between manifests: unique names, <c>dependsOn</c> naming loaded experiments, no cycle; and the run order.</summary>
internal static class ManifestGraph
{
    public static IReadOnlyList<ChaosManifest> Order(List<ChaosManifest> manifests, List<ManifestProblem> problems)
    {
        var byKey = new Dictionary<string, ChaosManifest>(StringComparer.Ordinal);
        foreach (var manifest in manifests.Where(m => m.Name.Length > 0))
        {
            if (byKey.TryGetValue(manifest.Key, out var first))
            {
                problems.Add(new(manifest.Source, manifest.Line, "metadata.name", $"\"{manifest.Key}\" is loaded twice (first from {first.Source}); names must be unique within a namespace."));
                continue;
            }

            byKey[manifest.Key] = manifest;
        }

        var dependencies = new Dictionary<ChaosManifest, List<ChaosManifest>>();
        foreach (var manifest in byKey.Values)
        {
            var list = dependencies[manifest] = [];
            for (var i = 0; i < manifest.Spec.DependsOn.Count; i++)
            {
                var name = manifest.Spec.DependsOn[i];
                if (name == manifest.Name)
                {
                    continue; // Reported by the rules as a self-dependency.
                }

                if (byKey.TryGetValue($"{manifest.ExperimentNamespace}/{name}", out var dependency))
                {
                    list.Add(dependency);
                }
                else
                {
                    var known = byKey.Values.Where(m => m.ExperimentNamespace == manifest.ExperimentNamespace).Select(m => m.Name).ToList();
                    problems.Add(new(manifest.Source, manifest.LineOf("dependsOn"), $"spec.dependsOn[{i}]",
                        $"\"{name}\" is not among the loaded experiments of namespace {manifest.ExperimentNamespace}.{DidYouMean.Hint(name, known)} "
                        + $"Load it too{(known.Count > 0 ? $"; loaded there: {string.Join(", ", known)}" : string.Empty)}."));
                }
            }
        }

        foreach (var cycle in Cycles(dependencies))
        {
            var first = cycle[0];
            problems.Add(new(first.Source, first.LineOf("dependsOn"), "spec.dependsOn",
                $"dependency cycle: {string.Join(" → ", cycle.Append(first).Select(m => m.Name))}; none of them could ever start."));
        }

        // Kahn's order, taking the earliest loaded ready manifest each time; members of a cycle go last (the set is invalid then anyway).
        var order = new List<ChaosManifest>();
        var done = new HashSet<ChaosManifest>();
        var pending = byKey.Values.OrderBy(manifests.IndexOf).ToList();
        while (pending.Count > 0)
        {
            var next = pending.FirstOrDefault(m => dependencies[m].All(done.Contains)) ?? pending[0];
            order.Add(next);
            done.Add(next);
            pending.Remove(next);
        }

        return order;
    }

    /// <summary>Each cycle once, starting at its earliest loaded member.</summary>
    private static List<List<ChaosManifest>> Cycles(Dictionary<ChaosManifest, List<ChaosManifest>> dependencies)
    {
        var cycles = new List<List<ChaosManifest>>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var state = new Dictionary<ChaosManifest, int>();
        var stack = new List<ChaosManifest>();

        void Visit(ChaosManifest node)
        {
            state[node] = 1;
            stack.Add(node);
            foreach (var next in dependencies[node])
            {
                if (state.GetValueOrDefault(next) == 1)
                {
                    var cycle = stack[stack.IndexOf(next)..];
                    var key = string.Join(",", cycle.Select(m => m.Key).Order(StringComparer.Ordinal));
                    if (seen.Add(key))
                    {
                        cycles.Add(cycle);
                    }
                }
                else if (state.GetValueOrDefault(next) == 0)
                {
                    Visit(next);
                }
            }

            stack.RemoveAt(stack.Count - 1);
            state[node] = 2;
        }

        foreach (var node in dependencies.Keys)
        {
            if (state.GetValueOrDefault(node) == 0)
            {
                Visit(node);
            }
        }

        return cycles;
    }
}
