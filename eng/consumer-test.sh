#!/usr/bin/env bash
# Consumer check: packs every package of the solution into a temporary folder, then builds and runs a small xUnit v2
# test project outside the repository that references Chaos.Testing and Chaos.Testing.Xunit only as packages from
# that folder, and runs one experiment on the default (emulator) cluster. It proves the packages restore, carry what
# they need (the emulator comes with the xUnit package) and work without the repository's build files.
#
#   bash eng/consumer-test.sh            # exits non-zero unless the one test ran and passed
#   KEEP=1 bash eng/consumer-test.sh     # keep the temporary folder for a look
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
work="$(mktemp -d "${TMPDIR:-/tmp}/chaos-consumer.XXXXXX")"
if [ "${KEEP:-}" = "1" ]; then echo "keeping $work"; else trap 'rm -rf "$work"' EXIT; fi

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

feed="$work/feed"
version="$(dotnet msbuild "$root/src/Chaos.Testing/Chaos.Testing.csproj" -getProperty:Version)"
echo "consumer-test: packing $version into $feed"
dotnet pack "$root/Chaos.Testing.sln" -c Release -o "$feed" -nologo -v quiet

# The consumer restores into its own packages folder: the global cache may hold an older build of the same version.
app="$work/consumer"
mkdir -p "$app"
cat > "$work/nuget.config" <<XML
<?xml version="1.0" encoding="utf-8"?>
<configuration>
  <packageSources>
    <add key="chaos-testing-local" value="$feed" />
  </packageSources>
  <config>
    <add key="globalPackagesFolder" value="$work/packages" />
  </config>
</configuration>
XML
# Versions of the test tooling are the repository's own (Directory.Packages.props), so they are known to restore.
pin() { sed -n "s/.*PackageVersion Include=\"$1\" Version=\"\([^\"]*\)\".*/\1/p" "$root/Directory.Packages.props"; }
cat > "$app/Consumer.Tests.csproj" <<XML
<Project Sdk="Microsoft.NET.Sdk">
  <PropertyGroup>
    <TargetFramework>net10.0</TargetFramework>
    <Nullable>enable</Nullable>
    <ImplicitUsings>enable</ImplicitUsings>
    <IsPackable>false</IsPackable>
    <TreatWarningsAsErrors>true</TreatWarningsAsErrors>
  </PropertyGroup>
  <ItemGroup>
    <PackageReference Include="Chaos.Testing" Version="$version" />
    <PackageReference Include="Chaos.Testing.Xunit" Version="$version" />
    <PackageReference Include="Microsoft.NET.Test.Sdk" Version="$(pin Microsoft.NET.Test.Sdk)" />
    <PackageReference Include="xunit" Version="$(pin xunit)" />
    <PackageReference Include="xunit.runner.visualstudio" Version="$(pin xunit.runner.visualstudio)" PrivateAssets="all" />
  </ItemGroup>
</Project>
XML
cat > "$app/ConsumerChaos.cs" <<'CS'
using Chaos.Testing.Xunit;
using Xunit;

namespace Consumer.Tests;

[CollectionDefinition(ChaosCollection.Name, DisableParallelization = true)]
public sealed class ConsumerChaos : ChaosCollection
{
}
CS
cat > "$app/KillTests.cs" <<'CS'
using Chaos.Testing;
using Chaos.Testing.Xunit;
using FluentAssertions;
using Xunit;
using Xunit.Abstractions;

namespace Consumer.Tests;

[Collection(ChaosCollection.Name)]
public sealed class KillTests(ChaosClusterFixture cluster, ITestOutputHelper output)
{
    private const string Yaml = """
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: cart
          labels:
            app: cart
        spec:
          replicas: 3
          selector:
            matchLabels:
              app: cart
          template:
            metadata:
              labels:
                app: cart
            spec:
              containers:
                - name: cart
                  image: cart:1
        """;

    [ChaosFact]
    public async Task CartRecoversAfterLosingAPod()
    {
        cluster.Cluster.Kind.Should().Be("emulator");
        await using var ns = await cluster.CreateNamespaceAsync();
        await cluster.Cluster.ApplyAsync(Yaml, ns.Name);
        await cluster.Cluster.WaitForReadyAsync(ns.Name, TimeSpan.FromSeconds(60));

        var result = await Experiment.On(Pods.In(ns.Name).WithLabel("app", "cart"))
            .Kill()
            .For(TimeSpan.FromMilliseconds(300))
            .Verify(SteadyState.DeploymentAvailable(ns.Name, "cart").BeforeAndAfter(TimeSpan.FromSeconds(30)))
            .WithLogger(output.ToLogger())
            .RunAsync(cluster.Client);

        output.WriteChaosResult(result);
        result.Should().HaveHeldSteadyState().And.HaveAffected(1);
    }
}
CS

cd "$work"
echo "consumer-test: restoring and building $app"
dotnet build "$app" -nologo -v quiet
echo "consumer-test: running"
log="$work/test.log"
set +e
dotnet test "$app" --no-build --logger "console;verbosity=normal" 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
set -e
# A skipped test would mean the emulator was not found at run time: that is a packaging failure too.
if [ "$status" -ne 0 ] || ! grep -q "Passed Consumer.Tests.KillTests.CartRecoversAfterLosingAPod" "$log" \
  || ! grep -Eq "Total tests: 1$" "$log"; then
  echo "consumer-test: FAILED (exit $status; expected exactly one passed test and none skipped)" >&2
  exit 1
fi
echo "consumer-test: passed"
