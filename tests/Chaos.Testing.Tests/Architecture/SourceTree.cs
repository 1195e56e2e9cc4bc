using System.Text.RegularExpressions;

namespace Chaos.Testing.Tests.Architecture;

/// <summary>The repository's source files, read as text: which folder declares which type, and which types a file uses.</summary>
internal static partial class SourceTree
{
    public static string Root { get; } = FindRoot();

    /// <summary>The C# files under <paramref name="relative"/>, without build output.</summary>
    public static IEnumerable<string> CSharpFiles(string relative) =>
        Directory.EnumerateFiles(Path.Combine(Root, relative), "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
                && !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal));

    /// <summary>
    /// Folder → folders it uses, with the file and type that make each edge. A use is a capitalised identifier, outside
    /// comments and strings, not after a dot and not a member being declared or initialised, that names a type declared
    /// in exactly one other folder.
    /// </summary>
    public static Dictionary<string, Dictionary<string, SortedSet<string>>> FolderDependencies(string package)
    {
        var root = Path.Combine(Root, package);
        var files = CSharpFiles(package).ToDictionary(f => f, f => Code(File.ReadAllText(f)));
        var declaredIn = new Dictionary<string, HashSet<string>>(StringComparer.Ordinal);
        foreach (var (file, code) in files)
        {
            foreach (Match m in Declaration().Matches(code))
            {
                declaredIn.TryAdd(m.Groups[1].Value, []);
                declaredIn[m.Groups[1].Value].Add(FolderOf(root, file));
            }
        }

        var edges = new Dictionary<string, Dictionary<string, SortedSet<string>>>(StringComparer.Ordinal);
        foreach (var (file, code) in files)
        {
            var folder = FolderOf(root, file);
            var own = Declaration().Matches(code).Select(m => m.Groups[1].Value).ToHashSet(StringComparer.Ordinal);
            var uses = Initialised().Replace(Property().Replace(MemberAccess().Replace(code, ".x"), "x "), "x ");
            foreach (var name in Identifier().Matches(uses).Select(m => m.Value).Distinct(StringComparer.Ordinal))
            {
                if (!own.Contains(name) && declaredIn.TryGetValue(name, out var folders) && folders.Count == 1 && folders.Single() != folder)
                {
                    edges.TryAdd(folder, new(StringComparer.Ordinal));
                    edges[folder].TryAdd(folders.Single(), new(StringComparer.Ordinal));
                    edges[folder][folders.Single()].Add($"{Path.GetFileName(file)} uses {name}");
                }
            }
        }

        return edges;
    }

    /// <summary>The strongly connected components with more than one folder: each is a dependency cycle.</summary>
    public static List<List<string>> Cycles(Dictionary<string, Dictionary<string, SortedSet<string>>> edges)
    {
        var index = new Dictionary<string, int>(StringComparer.Ordinal);
        var low = new Dictionary<string, int>(StringComparer.Ordinal);
        var stack = new Stack<string>();
        var onStack = new HashSet<string>(StringComparer.Ordinal);
        var cycles = new List<List<string>>();
        void Visit(string v)
        {
            index[v] = low[v] = index.Count;
            stack.Push(v);
            onStack.Add(v);
            foreach (var w in edges.GetValueOrDefault(v)?.Keys ?? Enumerable.Empty<string>())
            {
                if (!index.TryGetValue(w, out var seen))
                {
                    Visit(w);
                    low[v] = Math.Min(low[v], low[w]);
                }
                else if (onStack.Contains(w))
                {
                    low[v] = Math.Min(low[v], seen);
                }
            }

            if (low[v] == index[v])
            {
                var component = new List<string>();
                string w;
                do
                {
                    w = stack.Pop();
                    onStack.Remove(w);
                    component.Add(w);
                }
                while (w != v);
                if (component.Count > 1)
                {
                    cycles.Add(component);
                }
            }
        }

        foreach (var v in edges.Keys.Concat(edges.Values.SelectMany(e => e.Keys)).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal))
        {
            if (!index.ContainsKey(v))
            {
                Visit(v);
            }
        }

        return cycles;
    }

    private static string FolderOf(string root, string file) => Path.GetRelativePath(root, Path.GetDirectoryName(file)!).Replace('\\', '/');

    /// <summary>The code without comments, and with every string and character literal emptied.</summary>
    private static string Code(string text) => Literal().Replace(Comment().Replace(text, " "), "\"\"");

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Chaos.Testing.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"no Chaos.Testing.sln above {AppContext.BaseDirectory}");
    }

    [GeneratedRegex(@"//[^\n]*|/\*.*?\*/", RegexOptions.Singleline)]
    private static partial Regex Comment();

    [GeneratedRegex(@"\$?@?""""""[\s\S]*?""""""|\$?@?""(?:\\.|""""|[^""\\\n])*""|'(?:\\.|[^'\\])'")]
    private static partial Regex Literal();

    [GeneratedRegex(@"\b(?:class|record|struct|interface|enum)\s+(\w+)")]
    private static partial Regex Declaration();

    [GeneratedRegex(@"\.\s*[A-Z]\w*")]
    private static partial Regex MemberAccess();

    [GeneratedRegex(@"\b[A-Z]\w*\s*(?=\{\s*(?:get|init|set)\b)")]
    private static partial Regex Property();

    [GeneratedRegex(@"\b[A-Z]\w*\s*(?==[^=>])")]
    private static partial Regex Initialised();

    [GeneratedRegex(@"\b[A-Z]\w*\b")]
    private static partial Regex Identifier();
}
