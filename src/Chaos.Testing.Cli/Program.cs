using Chaos.Testing.Cli;

return await ChaosCli.RunAsync(args, Console.Out, Console.Error, Environment.CurrentDirectory);
