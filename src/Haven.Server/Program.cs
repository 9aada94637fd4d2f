using Haven.Server.Cli;

return await HavenCli.RunAsync(args);
