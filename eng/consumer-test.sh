#!/usr/bin/env bash
# Consumer check: packs every package of the solution into a temporary folder, then builds and runs small test
# projects outside the repository that reference the packages only as PackageReferences from that folder, each
# running one experiment on the default (emulator) cluster:
#   - xUnit v2 with Chaos.Testing.Xunit and Chaos.Testing.FluentAssertions;
#   - NUnit 4.3.2 (what `dotnet new nunit` pins) with Chaos.Testing.NUnit and Chaos.Testing.AwesomeAssertions;
#   - xUnit v3 (xunit.v3 3.2.2 with xunit.runner.visualstudio 3.1.5, what `dotnet new xunit3` of the 3.2.2 templates
#     pins and plain `dotnet test` runs) with Chaos.Testing.Xunit.V3 and Chaos.Testing.FluentAssertions;
#   - the two projects the template package creates (`dotnet new chaos-xunit`, `dotnet new chaos-nunit`), unchanged.
# It proves the packages restore together with what a new project has, carry what they need (the emulator comes with
# the adapters) and work without the repository's build files.
#
#   bash eng/consumer-test.sh               # packs a Release build; exits non-zero unless each consumer's one test passed
#   bash eng/consumer-test.sh --from-build [Debug|Release]  # packs what the last build left: what the test suite does
#   KEEP=1 bash eng/consumer-test.sh        # keep the temporary folder for a look
#
# The packages get a version of their own (0.1.0-consumer.<time>.<pid>), so no older build of 0.1.0 in a NuGet cache
# can stand in for them; other packages come from the machine's NuGet cache where it has them.
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
work="$(mktemp -d "${TMPDIR:-/tmp}/chaos-consumer.XXXXXX")"
if [ "${KEEP:-}" = "1" ]; then echo "keeping $work"; else trap 'rm -rf "$work"' EXIT; fi

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

feed="$work/feed"
base="$(dotnet msbuild "$root/src/Chaos.Testing/Chaos.Testing.csproj" -getProperty:Version)"
version="$base-consumer.$(date +%s).$$"
if [ "${1:-}" = "--from-build" ]; then
  # Nothing is built or restored: the test suite runs this while its own build may still be running elsewhere.
  configuration="${2:-Debug}"
  echo "consumer-test: packing the $configuration build as $version into $feed"
  dotnet pack "$root/Chaos.Testing.sln" -c "$configuration" --no-build --no-restore -o "$feed" -p:Version="$version" \
    -nologo -v quiet --disable-build-servers
else
  echo "consumer-test: packing $version into $feed"
  dotnet pack "$root/Chaos.Testing.sln" -c Release -o "$feed" -p:Version="$version" -nologo -v quiet
fi
for package in Chaos.Testing Chaos.Testing.Emulator Chaos.Testing.Xunit Chaos.Testing.Xunit.V3 Chaos.Testing.NUnit \
               Chaos.Testing.K3s Chaos.Testing.FluentAssertions Chaos.Testing.AwesomeAssertions Chaos.Testing.Templates; do
  [ -f "$feed/$package.$version.nupkg" ] || { echo "consumer-test: FAILED: $package.$version.nupkg was not packed" >&2; exit 1; }
done

# The consumers restore into a packages folder of their own, falling back on the machine's NuGet cache (read only).
app="$work/consumer"
mkdir -p "$app"
cache="$(dotnet nuget locals global-packages --list | sed -n 's/^global-packages: //p')"
cat > "$work/nuget.config" <<XML
<?xml version="1.0" encoding="utf-8"?>
<configuration>
  <packageSources>
    <add key="chaos-testing-local" value="$feed" />
  </packageSources>
  <fallbackPackageFolders>
    <add key="machine-cache" value="$cache" />
  </fallbackPackageFolders>
  <config>
    <add key="globalPackagesFolder" value="$work/packages" />
  </config>
</configuration>
XML
# The workload every consumer deploys (each project copies it to its output).
cat > "$work/cart.yaml" <<'YAML'
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
YAML
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
    <PackageReference Include="Chaos.Testing.FluentAssertions" Version="$version" />
    <PackageReference Include="Microsoft.NET.Test.Sdk" Version="$(pin Microsoft.NET.Test.Sdk)" />
    <PackageReference Include="xunit" Version="$(pin xunit)" />
    <PackageReference Include="xunit.runner.visualstudio" Version="$(pin xunit.runner.visualstudio)" PrivateAssets="all" />
  </ItemGroup>
  <ItemGroup>
    <None Include="../cart.yaml" Link="cart.yaml" CopyToOutputDirectory="PreserveNewest" />
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
    private static readonly string Yaml = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "cart.yaml"));

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

nunit="$work/nunit-consumer"
mkdir -p "$nunit"
cat > "$nunit/Consumer.NUnit.csproj" <<XML
<Project Sdk="Microsoft.NET.Sdk">
  <PropertyGroup>
    <TargetFramework>net10.0</TargetFramework>
    <Nullable>enable</Nullable>
    <ImplicitUsings>enable</ImplicitUsings>
    <IsPackable>false</IsPackable>
    <TreatWarningsAsErrors>true</TreatWarningsAsErrors>
  </PropertyGroup>
  <ItemGroup>
    <PackageReference Include="Chaos.Testing.NUnit" Version="$version" />
    <PackageReference Include="Chaos.Testing.AwesomeAssertions" Version="$version" />
    <PackageReference Include="Microsoft.NET.Test.Sdk" Version="$(pin Microsoft.NET.Test.Sdk)" />
    <PackageReference Include="NUnit" Version="4.3.2" />
    <PackageReference Include="NUnit3TestAdapter" Version="$(pin NUnit3TestAdapter)" />
  </ItemGroup>
  <ItemGroup>
    <None Include="../cart.yaml" Link="cart.yaml" CopyToOutputDirectory="PreserveNewest" />
  </ItemGroup>
</Project>
XML
cat > "$nunit/ChaosSetUp.cs" <<'CS'
using Chaos.Testing.NUnit;
using NUnit.Framework;

[SetUpFixture]
public sealed class ChaosSetUp : ChaosClusterSetUp
{
}
CS
cat > "$nunit/KillTests.cs" <<'CS'
using AwesomeAssertions;
using Chaos.Testing;
using Chaos.Testing.NUnit;

namespace Consumer.NUnit;

public sealed class KillTests : ChaosTestBase
{
    [ChaosTest]
    public async Task CartRecoversAfterLosingAPod()
    {
        Cluster.Kind.Should().Be("emulator");
        await ApplyAsync(await File.ReadAllTextAsync(Path.Combine(AppContext.BaseDirectory, "cart.yaml")));

        var result = await Experiment.On(Pods.In(Namespace).WithLabel("app", "cart")).Kill()
            .For(TimeSpan.FromMilliseconds(300))
            .Verify(SteadyState.DeploymentAvailable(Namespace, "cart").BeforeAndAfter(TimeSpan.FromSeconds(30)))
            .WithLogger(Logger)
            .RunAsync(Client);

        Report(result);
        result.Should().HaveHeldSteadyState().And.HaveAffected(1);
    }
}
CS

xunit3="$work/xunit3-consumer"
mkdir -p "$xunit3"
cat > "$xunit3/Consumer.XunitV3.csproj" <<XML
<Project Sdk="Microsoft.NET.Sdk">
  <PropertyGroup>
    <TargetFramework>net10.0</TargetFramework>
    <OutputType>Exe</OutputType>
    <Nullable>enable</Nullable>
    <ImplicitUsings>enable</ImplicitUsings>
    <IsPackable>false</IsPackable>
    <TreatWarningsAsErrors>true</TreatWarningsAsErrors>
  </PropertyGroup>
  <ItemGroup>
    <PackageReference Include="Chaos.Testing.Xunit.V3" Version="$version" />
    <PackageReference Include="Chaos.Testing.FluentAssertions" Version="$version" />
    <PackageReference Include="Microsoft.NET.Test.Sdk" Version="$(pin Microsoft.NET.Test.Sdk)" />
    <PackageReference Include="xunit.v3" Version="$(pin xunit.v3)" />
    <PackageReference Include="xunit.runner.visualstudio" Version="$(pin xunit.runner.visualstudio)" PrivateAssets="all" />
  </ItemGroup>
  <ItemGroup>
    <None Include="../cart.yaml" Link="cart.yaml" CopyToOutputDirectory="PreserveNewest" />
  </ItemGroup>
</Project>
XML
cat > "$xunit3/ConsumerChaos.cs" <<'CS'
using Chaos.Testing.Xunit;
using Xunit;

namespace Consumer.XunitV3;

[CollectionDefinition(ChaosCollection.Name, DisableParallelization = true)]
public sealed class ConsumerChaos : ChaosCollection
{
}
CS
cat > "$xunit3/KillTests.cs" <<'CS'
using Chaos.Testing;
using Chaos.Testing.Xunit;
using FluentAssertions;
using Xunit;

namespace Consumer.XunitV3;

[Collection(ChaosCollection.Name)]
public sealed class KillTests(ChaosClusterFixture cluster, ITestOutputHelper output)
{
    private static readonly string Yaml = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "cart.yaml"));

    [ChaosFact]
    public async Task CartRecoversAfterLosingAPod()
    {
        var cancellation = TestContext.Current.CancellationToken;
        cluster.Cluster.Kind.Should().Be("emulator");
        await using var ns = await cluster.CreateNamespaceAsync();
        ns.Name.Should().StartWith("chaos-cartrecoversafterlosingapod-");
        await cluster.Cluster.ApplyAsync(Yaml, ns.Name, cancellation);
        await cluster.Cluster.WaitForReadyAsync(ns.Name, TimeSpan.FromSeconds(60), cancellation);

        var result = await Experiment.On(Pods.In(ns.Name).WithLabel("app", "cart"))
            .Kill()
            .For(TimeSpan.FromMilliseconds(300))
            .Verify(SteadyState.DeploymentAvailable(ns.Name, "cart").BeforeAndAfter(TimeSpan.FromSeconds(30)))
            .WithLogger(output.ToLogger())
            .RunAsync(cluster.Client, cancellation);

        output.WriteChaosResult(result);
        result.Should().HaveHeldSteadyState().And.HaveAffected(1);
        TestContext.Current.Attachments.Should().ContainKey($"chaos-result-{result.ExperimentId}.json");
    }
}
CS


# The templates, installed into a private template hive (the user's own templates are not touched).
hive="$work/template-hive"
dotnet new install "$feed/Chaos.Testing.Templates.$version.nupkg" --debug:custom-hive "$hive" >/dev/null
dotnet new chaos-xunit -o "$work/TemplateXunit" --ChaosTestingVersion "$version" --debug:custom-hive "$hive" >/dev/null
dotnet new chaos-nunit -o "$work/TemplateNunit" --ChaosTestingVersion "$version" --debug:custom-hive "$hive" >/dev/null

cd "$work"
echo "consumer-test: restoring and building $app, $nunit, $xunit3 and the two template projects (one solution, in parallel)"
dotnet new sln -n Consumers -o "$work" --format sln >/dev/null
dotnet sln "$work/Consumers.sln" add "$app" "$nunit" "$xunit3" "$work/TemplateXunit" "$work/TemplateNunit" >/dev/null
dotnet build "$work/Consumers.sln" -nologo -v quiet --disable-build-servers

# Runs one consumer; a skipped test would mean the emulator was not found at run time: a packaging failure too.
run() {
  local project="$1" test="$2" log="$work/$(basename "$1").log" status
  set +e
  dotnet test "$project" --no-build --logger "console;verbosity=normal" >"$log" 2>&1
  status=$?
  set -e
  if [ "$status" -ne 0 ] || ! grep -q "Passed $test" "$log" || ! grep -Eq "Total tests: 1$" "$log"; then
    cat "$log"
    echo "consumer-test: FAILED in $project (exit $status; expected exactly one passed test and none skipped)" >&2
    return 1
  fi
  echo "consumer-test: passed $project ($test)"
}
echo "consumer-test: running the five consumers side by side"
pids=()
run "$app" Consumer.Tests.KillTests.CartRecoversAfterLosingAPod & pids+=($!)
run "$nunit" CartRecoversAfterLosingAPod & pids+=($!)
run "$xunit3" Consumer.XunitV3.KillTests.CartRecoversAfterLosingAPod & pids+=($!)
run "$work/TemplateXunit" TemplateXunit.CartResilienceTests.CartStaysAvailableWhenAPodIsKilled & pids+=($!)
run "$work/TemplateNunit" CartStaysAvailableWhenAPodIsKilled & pids+=($!)
failed=0
for pid in "${pids[@]}"; do wait "$pid" || failed=1; done
[ "$failed" = 0 ] || { echo "consumer-test: FAILED" >&2; exit 1; }
echo "consumer-test: passed"
