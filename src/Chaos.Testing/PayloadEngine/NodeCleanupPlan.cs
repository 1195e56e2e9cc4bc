namespace Chaos.Testing;

/// <summary>What a node payload's recovery acts with: code (the profile), configuration (namespace, image) and typed data (the record).</summary>
/// <param name="Fault">The fault's name.</param>
/// <param name="Namespace">The namespace of the payload and cleanup pods: the run's option, or the janitor's configuration.</param>
/// <param name="Image">The image: the one the run injected with, or the janitor's configured or default one.</param>
/// <param name="Profile">The fault's profile (capabilities, whether it mounts a node directory).</param>
/// <param name="Record">The typed record (node, index, node directory).</param>
internal sealed record NodeCleanupPlan(string Fault, string Namespace, string Image, PayloadProfile Profile, NodePayloadRecord Record)
{
    /// <summary>Gets how long the cleanup pod may take (the fault's option in a live run; the default for the janitor).</summary>
    public TimeSpan CleanupTimeout { get; init; } = PayloadOptions.DefaultCleanupTimeout;
}
