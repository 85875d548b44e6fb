using SharpFuzz;
using VqVae.Codec.Fuzz;

// vqz fuzz harnesses for AFL++ (fuzz/README.md):
//   VqVae.Codec.Fuzz <reader|decoder|decode|image>           run under afl-fuzz (input on stdin)
//   VqVae.Codec.Fuzz <target> --replay <files or folders…>  run inputs once each, report every outcome
//   VqVae.Codec.Fuzz <target> --seeds <folder>                 write seed inputs for the target
//   VqVae.Codec.Fuzz <target> --mutate <seeds> <n> <crashes>   without AFL++: the seeds and n random mutations in process
var targets = new Dictionary<string, Action<byte[]>>
{
    ["reader"] = ReaderTarget.Run,
    ["decoder"] = DecoderTarget.Run,
    ["decode"] = DecodeTarget.Run,
    ["image"] = ImageTarget.Run,
};

if (args.Length == 0 || !targets.TryGetValue(args[0], out var target))
{
    Console.Error.WriteLine("usage: VqVae.Codec.Fuzz <reader|decoder|decode|image> [--replay <files…> | --seeds <folder> | --mutate <seeds> <n> <crashes>]");
    return 2;
}

// Outside afl-fuzz, give the instrumented assemblies (fuzz/run.sh) a trace map to write to.
if (args.Length >= 2)
    unsafe { SharpFuzz.Common.Trace.SharedMem = (byte*)System.Runtime.InteropServices.NativeMemory.AllocZeroed(1 << 16); }

if (args.Length >= 2 && args[1] == "--seeds")
{
    if (args[0] == "decoder") DecoderSeeds.Write(args[2]);
    else if (args[0] == "decode") DecodeTarget.WriteSeeds(args[2]);
    else if (args[0] == "image") ImageTarget.WriteSeeds(args[2]);
    else ReaderSeeds.Write(args[2]);                  // the reader's seeds: the golden files and these
    return 0;
}

if (args.Length >= 5 && args[1] == "--mutate")
{
    int status = Mutate.Run(target, args[2], int.Parse(args[3], System.Globalization.CultureInfo.InvariantCulture), args[4]);
    if (args[0] == "image") Console.WriteLine($"{ImageTarget.Accepted} input(s) decoded to an image");
    return status;
}

if (args.Length >= 2 && args[1] == "--replay")
    return Replay.Run(target, args.Skip(2));

Fuzzer.OutOfProcess.Run(stream => target(FuzzInput.ReadAll(stream)));
return 0;
