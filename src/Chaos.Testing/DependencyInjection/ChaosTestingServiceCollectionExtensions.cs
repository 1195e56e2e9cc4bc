using Chaos.Testing;
using k8s;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers Chaos.Testing in a service collection.</summary>
public static class ChaosTestingServiceCollectionExtensions
{
    /// <summary>
    /// Registers <see cref="IChaosEngine"/>, <see cref="ChaosTestingOptions"/>, a <see cref="TimeProvider"/> and, unless one
    /// is already registered, an <see cref="IKubernetes"/> built from the kubeconfig of the options.
    /// </summary>
    /// <param name="services">The services.</param>
    /// <param name="configure">Changes to the default options.</param>
    /// <returns>The same services.</returns>
    public static IServiceCollection AddChaosTesting(this IServiceCollection services, Action<ChaosTestingOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        var options = new ChaosTestingOptions();
        configure?.Invoke(options);
        services.TryAddSingleton(options);
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<IKubernetes>(_ =>
        {
            var path = options.KubeconfigPath ?? Environment.GetEnvironmentVariable("CHAOS_KUBECONFIG");
            var config = path is null
                ? KubernetesClientConfiguration.BuildDefaultConfig()
                : KubernetesClientConfiguration.BuildConfigFromConfigFile(path, options.Context);
            return new Kubernetes(config);
        });
        services.TryAddSingleton<IChaosEngine>(sp => new ChaosEngine(
            sp.GetRequiredService<IKubernetes>(),
            sp.GetRequiredService<ChaosTestingOptions>(),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetService<ILoggerFactory>()));
        return services;
    }
}
