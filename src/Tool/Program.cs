using VqVae.Codec.Tool;

// Program.cs only starts the host; commands are assembled in CommandCatalog, one file each in Commands/.
VqVae.Codec.Models.NativeRuntime.Configure();   // before any libtorch call: oneDNN held to AVX2 (NativeRuntime says why)
VqVae.Codec.Models.NativeRuntime.TuneAllocatorForThroughput();   // tensors reuse freed heap blocks instead of fresh pages
return await ToolHost.RunAsync(args);
