using SharpFuzz;
using VqVae.Codec.Fuzz;

// vqz fuzz harnesses for AFL++ (fuzz/README.md):
//   VqVae.Codec.Fuzz <reader|decoder|decode>                 run under afl-fuzz (input on stdin)
//   VqVae.Codec.Fuzz <target> --replay <files or folders…>  run inputs once each, report every outcome
//   VqVae.Codec.Fuzz <target> --seeds <folder>                 write seed inputs for the target
var targets = new Dictionary<string, Action<byte[]>>
{
    ["reader"] = ReaderTarget.Run,
    ["decoder"] = DecoderTarget.Run,
    ["decode"] = DecodeTarget.Run,
};

if (args.Length == 0 || !targets.TryGetValue(args[0], out var target))
{
    Console.Error.WriteLine("usage: VqVae.Codec.Fuzz <reader|decoder|decode> [--replay <files…> | --seeds <folder>]");
    return 2;
}

// Outside afl-fuzz, give the instrumented assemblies (fuzz/run.sh) a trace map to write to.
if (args.Length >= 2)
    unsafe { SharpFuzz.Common.Trace.SharedMem = (byte*)System.Runtime.InteropServices.NativeMemory.AllocZeroed(1 << 16); }

if (args.Length >= 2 && args[1] == "--seeds")
{
    if (args[0] == "decoder") DecoderSeeds.Write(args[2]);
    else if (args[0] == "decode") DecodeTarget.WriteSeeds(args[2]);
    else ReaderSeeds.Write(args[2]);                  // the reader's seeds: the golden files and these
    return 0;
}

if (args.Length >= 2 && args[1] == "--replay")
    return Replay.Run(target, args.Skip(2));

Fuzzer.OutOfProcess.Run(stream => target(FuzzInput.ReadAll(stream)));
return 0;
