namespace Chaos.Testing.Emulator;

/// <summary>
/// What a container image stands for on the process runtime: a program on this machine and the arguments it starts with
/// (the image's entrypoint). A container's <c>command</c> replaces both and its <c>args</c> replace
/// <see cref="Arguments"/>, as with a real image.
/// </summary>
/// <param name="Program">The program: a path, or a name looked up on <c>PATH</c> (e.g. <c>dotnet</c>).</param>
/// <param name="Arguments">The default arguments (e.g. <c>path/Cart.dll</c>).</param>
/// <example>
/// <code>
/// options.Processes.Images["shop/cart:1.4"] = new ImageProgram("dotnet", "/src/Cart/bin/Cart.dll");
/// </code>
/// </example>
public sealed record ImageProgram(string Program, params string[] Arguments);
