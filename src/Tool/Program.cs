using VqVae.Codec.Tool;

// Program.cs only starts the host; commands are assembled in CommandCatalog, one file each in Commands/.
return await ToolHost.RunAsync(args);
