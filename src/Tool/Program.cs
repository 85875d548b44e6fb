using System.CommandLine;
using VqVae.Codec.Tool;

// Program.cs only assembles the root command; each command lives in Commands/<Name>Command.cs.
var root = new RootCommand("vqz: a VQ-VAE image codec (compress, decompress, train, evaluate).");
root.Options.Add(CommonOptions.Verbose);
foreach (var command in CommandCatalog.All()) root.Subcommands.Add(command);
return await ToolHost.RunAsync(root, args);
