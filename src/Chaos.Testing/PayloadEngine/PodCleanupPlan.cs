namespace Chaos.Testing;

/// <summary>What a pod payload's cleanup container is made of: code (the profile), configuration (the image) and typed data (the record).</summary>
/// <param name="Fault">The fault's name.</param>
/// <param name="Image">The image: the one the run injected with, or the janitor's configured or default one.</param>
/// <param name="Profile">The fault's profile (capabilities, process sharing).</param>
/// <param name="Record">The typed record (target container, interface, fill directory).</param>
internal sealed record PodCleanupPlan(string Fault, string Image, PayloadProfile Profile, PodPayloadRecord Record)
{
    /// <summary>Gets how long the cleanup container may take: the run's <see cref="PayloadOptions.CleanupTimeout"/>, the default for the janitor.</summary>
    public TimeSpan CleanupTimeout { get; init; } = PayloadOptions.DefaultCleanupTimeout;
}
