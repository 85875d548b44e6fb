namespace VqVae.Codec.Entropy

#nowarn "9" // stackalloc: the residual histogram lives on the stack

open System
open System.Numerics
open System.Runtime.InteropServices
open System.Threading.Tasks
open Microsoft.FSharp.NativeInterop

/// The single bridge from floating point to the integer tables the coder sees (spec §6). Every function
/// is pure and machine-independent: the same input bits give the same table on any machine.
[<RequireQualifiedAccess>]
module FrequencyTable =
    let private checkAlphabet (k: int) =
        if k < 1 || k > Precision.MaxAlphabet then
            raise (ArgumentOutOfRangeException("alphabet", k, $"an alphabet has 1 .. {Precision.MaxAlphabet} symbols"))

    /// The value of rank `rank` (0 = smallest) of `values`, found by quickselect on `values` (which it
    /// reorders). The value is unique whatever the algorithm, so this gives exactly what a full sort
    /// would, in linear time on average (spec §6.3 only needs the threshold).
    let internal select (values: Span<float>) (rank: int) =
        let mutable lo = 0
        let mutable hi = values.Length - 1

        while lo < hi do
            let pivot = values[lo + (hi - lo) / 2]
            let mutable i = lo
            let mutable j = hi

            while i <= j do
                while values[i] < pivot do
                    i <- i + 1

                while values[j] > pivot do
                    j <- j - 1

                if i <= j then
                    let t = values[i]
                    values[i] <- values[j]
                    values[j] <- t
                    i <- i + 1
                    j <- j - 1

            if rank <= j then hi <- j
            elif rank >= i then lo <- i
            else lo <- hi

        values[rank]

    /// Buckets of the residual histogram that narrows the threshold search (a power of two, so that
    /// bucket = floor(e × Buckets) is exact and never decreases as e grows).
    [<Literal>]
    let private Buckets = 64

    /// The value of rank `rank` (0 = smallest) of `residuals` (each in [0, 1)): a histogram over
    /// floor(e × 64) finds the bucket that holds that rank, and `select` runs on that bucket's few
    /// values alone (copied into `scratch`). The bucket map is monotone, so the value is the one a
    /// full sort would give.
    let internal residualOfRank (residuals: ReadOnlySpan<float>) (rank: int) (scratch: Span<float>) =
        let counts = Span<int>(NativePtr.toVoidPtr (NativePtr.stackalloc<int> Buckets), Buckets)
        counts.Clear()

        for s in 0 .. residuals.Length - 1 do
            let b = int (residuals[s] * float Buckets)
            counts[b] <- counts[b] + 1

        let mutable bucket = 0
        let mutable below = 0

        while below + counts[bucket] <= rank do
            below <- below + counts[bucket]
            bucket <- bucket + 1

        let mutable n = 0

        for s in 0 .. residuals.Length - 1 do
            if int (residuals[s] * float Buckets) = bucket then
                scratch[n] <- residuals[s]
                n <- n + 1

        select (scratch.Slice(0, n)) (rank - below)

    /// Rounding step (spec §6.3): p = w / sum, a = p × (65536 - K), f = 1 + floor(a); the remainder
    /// goes one by one to the largest residuals a - floor(a), ties to the lowest index. Writes the
    /// cumulative row (K + 1 values). `scratch` holds at least 2K doubles. The first loop runs in SIMD
    /// lanes: the same ÷, ×, floor and − on every element as the scalar loop, so the same bits.
    let internal quantiseInto (w: ReadOnlySpan<float>) (sum: float) (row: Span<int>) (scratch: Span<float>) =
        let k = w.Length
        let budget = float (Precision.Total - k)
        let residual = scratch.Slice(0, k)
        let floors = scratch.Slice(k, k)
        let lanes = Vector<float>.Count
        let vectors = if k >= lanes then k / lanes else 0

        if vectors > 0 then
            let wv = MemoryMarshal.Cast<float, Vector<float>>(w)
            let rv = MemoryMarshal.Cast<float, Vector<float>>(residual)
            let fv = MemoryMarshal.Cast<float, Vector<float>>(floors)
            let sumV = Vector<float>(sum)
            let budgetV = Vector<float>(budget)

            for i in 0 .. vectors - 1 do
                let a = (wv[i] / sumV) * budgetV
                let f = Vector.Floor a
                rv[i] <- a - f
                fv[i] <- f

        for s in vectors * lanes .. k - 1 do
            let a = (w[s] / sum) * budget
            let f = Math.Floor a
            residual[s] <- a - f
            floors[s] <- f

        let mutable assigned = 0

        for s in 0 .. k - 1 do
            let f = 1 + int floors[s]
            row[s + 1] <- f
            assigned <- assigned + f

        let mutable rest = Precision.Total - assigned

        if rest >= k then
            for s in 1 .. k do
                row[s] <- row[s] + rest / k

            rest <- rest % k

        if rest > 0 then
            let threshold = residualOfRank (Span.op_Implicit residual) (k - rest) floors

            for s in 0 .. k - 1 do
                if residual[s] > threshold then
                    row[s + 1] <- row[s + 1] + 1
                    rest <- rest - 1

            let mutable s = 0

            while rest > 0 do
                if residual[s] = threshold then
                    row[s + 1] <- row[s + 1] + 1
                    rest <- rest - 1

                s <- s + 1

        row[0] <- 0

        for s in 1 .. k do
            row[s] <- row[s - 1] + row[s]

    let private weightsOfProbabilities (p: ReadOnlySpan<float>) =
        let mutable sum = 0.0

        for s in 0 .. p.Length - 1 do
            let x = p[s]

            if not (Double.IsFinite x) || x < 0.0 then
                invalidArg "probabilities" $"probability {s} is {x}: each must be finite and >= 0"

            sum <- sum + x

        if not (Double.IsFinite sum) || sum <= 0.0 then
            invalidArg "probabilities" $"the probabilities sum to {sum}: the sum must be finite and > 0"

        sum

    /// Softmax weights w_s = exp(l_s - max l) in double, summed in index order (spec §6.2).
    let private softmaxWeights (logits: ReadOnlySpan<float32>) (w: Span<float>) =
        let mutable m = Double.NegativeInfinity

        for s in 0 .. logits.Length - 1 do
            let x = float logits[s]

            if not (Double.IsFinite x) then
                invalidArg "logits" $"logit {s} is {x}: logits must be finite"

            if x > m then m <- x

        for s in 0 .. logits.Length - 1 do
            w[s] <- float logits[s] - m

        DeterministicMath.expNonPositiveInto (Span.op_Implicit w) w
        let mutable sum = 0.0

        for s in 0 .. logits.Length - 1 do
            sum <- sum + w[s]

        sum

    let private rowOfProbabilities (p: ReadOnlySpan<float>) (data: int[]) (offset: int) (scratch: float[]) =
        quantiseInto p (weightsOfProbabilities p) (Span(data, offset, p.Length + 1)) (Span scratch)

    let private rowOfLogits (logits: ReadOnlySpan<float32>) (data: int[]) (offset: int) (scratch: float[]) =
        let k = logits.Length
        let w = Span(scratch, 2 * k, k)
        let sum = softmaxWeights logits w
        quantiseInto (Span.op_Implicit w) sum (Span(data, offset, k + 1)) (Span(scratch, 0, 2 * k))

    /// Tables of `count` rows, each filled by `fill row data offset scratch`; rows in parallel when
    /// there are many (each row alone, so the result does not depend on the schedule).
    let private buildInto (k: int) (count: int) (data: int[]) (fill: int -> int[] -> int -> float[] -> unit) =
        checkAlphabet k
        let stride = k + 1

        if data.Length <> count * stride then
            invalidArg (nameof data) $"{data.Length} values for {count} tables of {stride}"

        if count < 8 then
            let scratch = Array.zeroCreate<float> (3 * k)

            for i in 0 .. count - 1 do
                fill i data (i * stride) scratch
        else
            Parallel.For(
                0,
                count,
                (fun () -> Array.zeroCreate<float> (3 * k)),
                (fun i _ scratch ->
                    fill i data (i * stride) scratch
                    scratch),
                ignore
            )
            |> ignore

        FrequencyTables(k, count, data)

    let private build (k: int) (count: int) (fill: int -> int[] -> int -> float[] -> unit) =
        checkAlphabet k
        buildInto k count (Array.zeroCreate<int> (count * (k + 1))) fill

    /// One table from probabilities (any non-negative weights with a positive finite sum; they are
    /// divided by their sum, taken in index order).
    let ofProbabilities (probabilities: float[]) =
        build probabilities.Length 1 (fun _ data offset scratch ->
            rowOfProbabilities (ReadOnlySpan probabilities) data offset scratch)

    /// One table from float32 logits: deterministic softmax, then the rounding step (spec §6.2, §6.3).
    let ofLogits (logits: float32[]) =
        build logits.Length 1 (fun _ data offset scratch -> rowOfLogits (ReadOnlySpan logits) data offset scratch)

    /// One table from a histogram: counts >= 0 with a positive total.
    let ofCounts (counts: int64[]) =
        ofProbabilities (counts |> Array.map float)

    /// The uniform table over `alphabet` symbols.
    let uniform (alphabet: int) =
        checkAlphabet alphabet
        ofProbabilities (Array.create alphabet 1.0)

    let private rows (alphabet: int) (length: int) (what: string) =
        checkAlphabet alphabet

        if length = 0 || length % alphabet <> 0 then
            invalidArg what $"length {length} is not a positive multiple of {alphabet}"

        length / alphabet

    /// logits.Length / alphabet tables from row-major float32 logits (see ofLogits).
    let ofLogitsBatch (alphabet: int) (logits: ReadOnlyMemory<float32>) =
        build alphabet (rows alphabet logits.Length (nameof logits)) (fun i data offset scratch ->
            rowOfLogits (logits.Span.Slice(i * alphabet, alphabet)) data offset scratch)

    /// As ofLogitsBatch, into `data` (exactly count x (alphabet + 1) values), which the tables then share: they
    /// hold until `data` is filled again. For a caller that builds tables of one size over and over (a prior's
    /// steps), so that it does not put a fresh array on the large-object heap each time.
    let internal ofLogitsBatchInto (alphabet: int) (logits: ReadOnlyMemory<float32>) (data: int[]) =
        buildInto alphabet (rows alphabet logits.Length (nameof logits)) data (fun i data offset scratch ->
            rowOfLogits (logits.Span.Slice(i * alphabet, alphabet)) data offset scratch)

    /// probabilities.Length / alphabet tables from row-major probabilities (see ofProbabilities).
    let ofProbabilitiesBatch (alphabet: int) (probabilities: ReadOnlyMemory<float>) =
        build alphabet (rows alphabet probabilities.Length (nameof probabilities)) (fun i data offset scratch ->
            rowOfProbabilities (probabilities.Span.Slice(i * alphabet, alphabet)) data offset scratch)
