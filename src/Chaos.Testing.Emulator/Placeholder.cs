namespace Chaos.Testing.Emulator;

internal static class Placeholder
{
}
