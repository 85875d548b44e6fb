namespace VqVae.Codec.Entropy

open System
open System.Diagnostics

/// What `vqz bench coder` measures.
type CoderBenchmarkOptions =
    {
        /// Symbols to code.
        Symbols: int
        /// Alphabet size K.
        Alphabet: int
        /// Number of random distributions (tables); each symbol uses one drawn at random.
        Distributions: int
        /// Seed of the random draws.
        Seed: int
    }

    /// 2,000,000 symbols, 512-symbol alphabet, 256 distributions, seed 1.
    static member Default = { Symbols = 2_000_000; Alphabet = 512; Distributions = 256; Seed = 1 }

/// The figures of one benchmark run.
type CoderBenchmarkResult =
    {
        /// The options of the run.
        Options: CoderBenchmarkOptions
        /// Σ -log2 p under the float distributions the symbols were drawn from.
        SourceBits: float
        /// Σ -log2 (f / 65536) under the quantised tables: the best any coder of these tables can do.
        IdealBits: float
        /// Bits of the coded stream.
        CodedBits: int64
        /// Seconds to encode all symbols.
        EncodeSeconds: float
        /// Seconds to decode all symbols.
        DecodeSeconds: float
        /// Processor seconds the process used while encoding (less than EncodeSeconds when other
        /// processes share the cores).
        EncodeCpuSeconds: float
        /// Processor seconds the process used while decoding.
        DecodeCpuSeconds: float
        /// Whether the decoded symbols equal the encoded ones.
        RoundTripOk: bool
    }

    /// (coded - ideal) / ideal, in percent.
    member this.OverheadPercent = 100.0 * (float this.CodedBits - this.IdealBits) / this.IdealBits
    /// Cost of rounding the distributions to 16-bit tables, in percent of the source bits.
    member this.QuantisationPercent = 100.0 * (this.IdealBits - this.SourceBits) / this.SourceBits
    /// Millions of symbols encoded per second.
    member this.EncodeMSymbolsPerSecond = float this.Options.Symbols / this.EncodeSeconds / 1e6
    /// Millions of symbols decoded per second.
    member this.DecodeMSymbolsPerSecond = float this.Options.Symbols / this.DecodeSeconds / 1e6
    /// Millions of symbols encoded per processor second.
    member this.EncodeMSymbolsPerCpuSecond = float this.Options.Symbols / this.EncodeCpuSeconds / 1e6
    /// Millions of symbols decoded per processor second.
    member this.DecodeMSymbolsPerCpuSecond = float this.Options.Symbols / this.DecodeCpuSeconds / 1e6

/// Codes random symbols drawn from random skewed (Dirichlet) distributions and measures size and speed.
[<RequireQualifiedAccess>]
module CoderBenchmark =
    let private normal (rng: Random) =
        let u = 1.0 - rng.NextDouble()
        Math.Sqrt(-2.0 * Math.Log u) * Math.Cos(2.0 * Math.PI * rng.NextDouble())

    /// Gamma(alpha, 1) by Marsaglia and Tsang; alpha < 1 through Gamma(alpha + 1) × U^(1/alpha).
    let rec private gamma (rng: Random) (alpha: float) =
        if alpha < 1.0 then
            gamma rng (alpha + 1.0) * Math.Pow(1.0 - rng.NextDouble(), 1.0 / alpha)
        else
            let d = alpha - 1.0 / 3.0
            let c = 1.0 / Math.Sqrt(9.0 * d)
            let mutable result = nan

            while Double.IsNaN result do
                let x = normal rng
                let v = (1.0 + c * x) ** 3.0

                if v > 0.0 && Math.Log(1.0 - rng.NextDouble()) < 0.5 * x * x + d - d * v + d * Math.Log v then
                    result <- d * v

            result

    /// A Dirichlet draw with concentration log-uniform in [0.02, 1]: from nearly one-hot to broad.
    let private dirichlet (rng: Random) (k: int) =
        let alpha = Math.Exp(Math.Log 0.02 + rng.NextDouble() * (Math.Log 1.0 - Math.Log 0.02))
        let g = Array.init k (fun _ -> gamma rng alpha)
        let sum = Array.sum g
        if sum > 0.0 then g |> Array.map (fun x -> x / sum) else Array.create k (1.0 / float k)

    /// A symbol drawn from p by inversion; never one of probability 0.
    let private sample (rng: Random) (p: float[]) =
        let u = rng.NextDouble()
        let mutable acc = p[0]
        let mutable s = 0

        while s < p.Length - 1 && (acc <= u || p[s] = 0.0) do
            s <- s + 1
            acc <- acc + p[s]

        while p[s] = 0.0 do
            s <- s - 1

        s

    /// Runs the benchmark.
    let run (options: CoderBenchmarkOptions) =
        let rng = Random options.Seed
        let k = options.Alphabet
        let dists = Array.init options.Distributions (fun _ -> dirichlet rng k)
        let tables = FrequencyTable.ofProbabilitiesBatch k (ReadOnlyMemory(Array.concat dists))
        let rows = Array.init options.Symbols (fun _ -> rng.Next options.Distributions)
        let symbols = rows |> Array.map (fun r -> sample rng dists[r])
        let mutable sourceBits = 0.0
        let mutable idealBits = 0.0

        for i in 0 .. symbols.Length - 1 do
            sourceBits <- sourceBits - Math.Log2(dists[rows[i]][symbols[i]])
            idealBits <- idealBits - Math.Log2(float (tables.Frequency(rows[i], symbols[i])) / float Precision.Total)

        let encode count =
            let encoder = RangeEncoder(count)

            for i in 0 .. count - 1 do
                encoder.Encode(tables, rows[i], symbols[i])

            encoder.Finish()

        let decode count coded =
            let decoder = RangeDecoder(ReadOnlyMemory coded)
            let decoded = Array.zeroCreate<int> count

            for i in 0 .. count - 1 do
                decoded[i] <- decoder.Decode(tables, rows[i])

            decoded

        let warmUp = min symbols.Length 200_000
        decode warmUp (encode warmUp) |> ignore
        let cpu () = Process.GetCurrentProcess().TotalProcessorTime.TotalSeconds
        let cpuStart = cpu ()
        let clock = Stopwatch.StartNew()
        let coded = encode symbols.Length
        let encodeSeconds = clock.Elapsed.TotalSeconds
        let cpuMiddle = cpu ()
        clock.Restart()
        let decoded = decode symbols.Length coded
        let decodeSeconds = clock.Elapsed.TotalSeconds
        let cpuEnd = cpu ()

        {
            Options = options
            SourceBits = sourceBits
            IdealBits = idealBits
            CodedBits = 8L * int64 coded.Length
            EncodeSeconds = encodeSeconds
            DecodeSeconds = decodeSeconds
            EncodeCpuSeconds = cpuMiddle - cpuStart
            DecodeCpuSeconds = cpuEnd - cpuMiddle
            RoundTripOk = (decoded = symbols)
        }
