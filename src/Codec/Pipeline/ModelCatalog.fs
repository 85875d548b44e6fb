namespace VqVae.Codec.Pipeline

open System
open System.Collections.Concurrent
open System.IO
open System.Text.Json.Nodes
open VqVae.Codec.Format
open VqVae.Codec.Models.Files

/// A quality preset: the models (by name) that code images of a quality, for images up to MaxSide
/// pixels (thumbnail models) or of any size, and the prior tiling.
type Preset =
    {
        /// The quality it serves.
        Quality: Quality
        /// Largest width or height it is meant for; None for any size.
        MaxSide: int option
        /// Name of the VQ-VAE model.
        VqVae: string
        /// Name of the prior model.
        Prior: string
        /// Prior tile side in codes (0 = whole grid).
        TileSide: int
        /// Code levels sent (1 = the first grid only); more than 1 needs LevelPrior.
        Levels: int
        /// Name of the level prior (levels 2 and up), when Levels > 1.
        LevelPrior: string option
    }

/// A file of a model folder that could not be read (a model file or presets.json), kept so that an
/// error about a missing model or preset can name it.
type UnreadableFile =
    {
        /// The file.
        Path: string
        /// Whether it is presets.json (else a model file).
        IsPresets: bool
        /// Why it was skipped: a ModelFileException or PresetsFileException naming the file.
        Error: exn
    }

/// The models the codec can use: every model file it was given (built in, installed, embedded in a
/// file being decoded), the presets, and loaded models cached by their full digests. Files of model
/// folders that could not be read are skipped (callers warn), unless a lookup they might have served
/// fails: then the error is theirs (ModelFileException or PresetsFileException, exit 4).
[<Sealed>]
type ModelCatalog private (sources: ModelSource list, presets: Preset list, unreadable: UnreadableFile list,
                           loaded: ConcurrentDictionary<string, Lazy<CodecModels>>, owner: bool) =
    let unreadableModels () =
        match unreadable |> List.filter (fun u -> not u.IsPresets) with
        | [] -> ""
        | files -> "; these model files could not be read: " + String.Join("; ", files |> List.map (fun u -> u.Error.Message))

    /// A catalogue of `sources` and `presets`; `unreadable` lists the files of its folders that were skipped.
    new(sources: ModelSource list, presets: Preset list, unreadable: UnreadableFile list) =
        new ModelCatalog(sources, presets, unreadable, ConcurrentDictionary(), true)

    /// A catalogue with no unreadable files.
    new(sources: ModelSource list, presets: Preset list) = new ModelCatalog(sources, presets, [])

    /// Files of model folders that were skipped.
    member _.Unreadable = unreadable

    /// Every known model file.
    member _.Sources = sources

    /// The presets, in the order they are tried.
    member _.Presets = presets

    /// A catalogue that also knows `more` model files (e.g. models embedded in a .vqz file).
    /// It shares this catalogue's loaded models (this one disposes them), so verifying a file just
    /// written, or decoding a batch, never loads the same networks twice. They are cached by the full
    /// SHA-256 digests of their files, so models embedded in one file never stand in for other models
    /// that only share their 4-byte models tag.
    member _.With(more: ModelSource list) = new ModelCatalog(more @ sources, presets, unreadable, loaded, false)

    /// The VQ-VAE and prior files whose pair has `tag`, or the VQ-VAE, prior and level prior whose
    /// triple has it (a file with code levels, spec §3.6).
    member _.TryFindByTag(tag: ModelsTag) =
        let pairs =
            sources
            |> List.filter (fun s -> s.Kind = "prior")
            |> List.collect (fun prior ->
                sources |> List.filter (fun v -> v.Kind = "vqvae" && prior.VqVaeDigest = Some v.Digest) |> List.map (fun v -> v, prior))

        match pairs |> List.tryFind (fun (v, p) -> ModelsTag.OfDigests(v.Digest, p.Digest) = tag) with
        | Some(v, p) -> Some(v, p, None)
        | None ->
            pairs
            |> List.tryPick (fun (v, p) ->
                sources
                |> List.tryFind (fun l -> l.Kind = "level-prior" && l.VqVaeDigest = Some v.Digest && ModelsTag.OfDigests(v.Digest, p.Digest, l.Digest) = tag)
                |> Option.map (fun l -> v, p, Some l))

    /// The prior of the static model set (spec §8.2) whose models tag is `tag`: a uniform or unigram
    /// prior model file whose name is the set's name. Such a set has no autoencoder.
    member _.TryFindStatic(tag: ModelsTag) =
        sources
        |> List.tryFind (fun s -> s.Kind = "prior" && StaticModelSet.tag s.Name = tag && ModelSource.isStaticPrior s)

    /// The model file named `name` of `kind` (a file path also works).
    member _.Find(kind: string, name: string) =
        if File.Exists name then
            ModelSource.ofFile name
        else
            match sources |> List.tryFind (fun s -> s.Kind = kind && s.Name = name) with
            | Some s -> s
            | None ->
                // A broken file named like the model asked for is the one needed: its own error names it.
                match unreadable |> List.tryFind (fun u -> not u.IsPresets && Path.GetFileNameWithoutExtension u.Path = name) with
                | Some u -> raise u.Error
                | None ->
                    let known = sources |> List.filter (fun s -> s.Kind = kind) |> List.map (fun s -> s.Name) |> String.concat ", "
                    raise (VqzModelException(ModelProblem.Missing, None, $"no {kind} model named or at '{name}' (known: {known}){unreadableModels ()}"))

    /// The preset for `quality` and an image of width x height: the first whose MaxSide holds it.
    member _.PresetFor(quality: Quality, width: int, height: int) =
        // A broken presets.json might have named other models for this quality: never guess past it.
        match unreadable |> List.tryFind (fun u -> u.IsPresets) with
        | Some u -> raise u.Error
        | None -> ()

        presets
        |> List.filter (fun p -> p.Quality = quality)
        |> List.tryFind (fun p -> p.MaxSide |> Option.forall (fun side -> max width height <= side))
        |> Option.defaultWith (fun () ->
            raise (VqzModelException(ModelProblem.Missing, None, $"no models are installed for quality '{quality}' at {width}x{height}{unreadableModels ()}")))

    /// The loaded pair of `vqvae` and `prior` (cached).
    member this.Load(vqvae: ModelSource, prior: ModelSource) = this.Load(vqvae, prior, None)

    /// The loaded models: `vqvae`, `prior` and, for files with code levels, the level prior (cached by the
    /// models tag they give).
    member _.Load(vqvae: ModelSource, prior: ModelSource, levelPrior: ModelSource option) =
        let key =
            match levelPrior with
            | None -> $"{vqvae.Digest.Hex}/{prior.Digest.Hex}"
            | Some l -> $"{vqvae.Digest.Hex}/{prior.Digest.Hex}/{l.Digest.Hex}"

        loaded.GetOrAdd(key, fun _ -> lazy (new CodecModels(vqvae, prior, levelPrior))).Value

    /// The models of a preset: its VQ-VAE, prior, and level prior when it sends more than one level.
    member this.LoadPreset(preset: Preset, levels: int) =
        let levelPrior =
            if levels <= 1 then
                None
            else
                match preset.LevelPrior with
                | Some name -> Some(this.Find("level-prior", name))
                | None -> raise (VqzModelException(ModelProblem.Missing, None, $"the {preset.Quality} preset ({preset.VqVae}) has no level prior, so it codes 1 level, not {levels}"))

        this.Load(this.Find("vqvae", preset.VqVae), this.Find("prior", preset.Prior), levelPrior)

    /// "; these model files could not be read: ..." when some were skipped, else "" (for messages about missing models).
    member _.UnreadableNote = unreadableModels ()

    /// The loaded pair whose models tag is `tag`, if known.
    member this.TryLoad(tag: ModelsTag) =
        this.TryFindByTag tag |> Option.map (fun (v, p, l) -> this.Load(v, p, l))

    interface IDisposable with
        member _.Dispose() =
            if owner then
                for pair in loaded.Values do
                    if pair.IsValueCreated then (pair.Value :> IDisposable).Dispose()

/// Building catalogues.
[<RequireQualifiedAccess>]
module ModelCatalog =
    /// Presets from JSON: {"presets": [{"quality": "high", "maxSide": 64, "vqvae": "...", "prior": "...", "tileSide": 0,
    /// "levels": 1, "levelPrior": "..."}, ...]} ("levels" defaults to 1; more than 1 needs "levelPrior").
    let parsePresets (json: string) =
        let required (o: JsonObject) (name: string) =
            match o[name] with
            | null -> invalidArg (nameof json) $"a preset lacks '{name}'"
            | n -> n.GetValue<string>()

        match JsonNode.Parse json with
        | :? JsonObject as root ->
            match root["presets"] with
            | :? JsonArray as items ->
                [ for item in items do
                      match item with
                      | :? JsonObject as o ->
                          let preset =
                            {
                                Quality = Quality.Parse(required o "quality")
                                MaxSide = (match o["maxSide"] with null -> None | n -> Some(n.GetValue<int>()))
                                VqVae = required o "vqvae"
                                Prior = required o "prior"
                                TileSide = (match o["tileSide"] with null -> 0 | n -> n.GetValue<int>())
                                Levels = (match o["levels"] with null -> 1 | n -> n.GetValue<int>())
                                LevelPrior = (match o["levelPrior"] with null -> None | n -> Some(n.GetValue<string>()))
                            }

                          if preset.Levels < 1 || preset.Levels > VqzLayout.MaxLevels then
                              invalidArg (nameof json) $"a preset's levels must be 1 to {VqzLayout.MaxLevels}, not {preset.Levels}"

                          if preset.Levels > 1 && preset.LevelPrior.IsNone then
                              invalidArg (nameof json) $"a preset of {preset.Levels} levels needs a 'levelPrior'"

                          preset
                      | _ -> invalidArg (nameof json) "a preset must be a JSON object" ]
            | _ -> invalidArg (nameof json) "presets JSON needs a 'presets' array"
        | _ -> invalidArg (nameof json) "presets JSON must be an object"

    /// The presets of a presets.json file; PresetsFileException naming it when it is not valid.
    let readPresets (file: string) =
        try
            parsePresets (File.ReadAllText file)
        with
        | :? ArgumentException
        | :? InvalidOperationException
        | :? FormatException
        | :? Text.Json.JsonException
        | :? IOException
        | :? UnauthorizedAccessException as e ->
            let reason =
                match e with
                | :? ArgumentException as a when a.ParamName = "json" || a.ParamName = "text" -> a.Message.Replace($" (Parameter '{a.ParamName}')", "")
                | _ -> e.Message

            raise (PresetsFileException(file, $"not a valid presets file: {reason}"))

    /// Every model file (*.vqm, *.vqp) of a directory, and its presets.json if present; files that cannot be
    /// read are returned apart (third element) instead of failing the whole directory.
    let ofDirectory (builtIn: bool) (directory: string) =
        if not (Directory.Exists directory) then
            [], [], []
        else
            let attempt isPresets (file: string) read =
                try
                    Ok(read ())
                with
                | :? ModelFileException
                | :? PresetsFileException as e -> Error { Path = file; IsPresets = isPresets; Error = e }
                | :? IOException
                | :? UnauthorizedAccessException as e ->
                    Error { Path = file; IsPresets = isPresets; Error = ModelFileException(file, 0L, "file", $"cannot be read: {e.Message}") }

            let models =
                Directory.EnumerateFiles directory
                |> Seq.filter (fun f ->
                    f.EndsWith(".vqm", StringComparison.Ordinal) || f.EndsWith(".vqp", StringComparison.Ordinal) || f.EndsWith(".vql", StringComparison.Ordinal))
                |> Seq.sort
                |> Seq.map (fun f ->
                    attempt false f (fun () -> ModelSource.ofBytes (if builtIn then $"built-in:{Path.GetFileName f}" else f) builtIn (ModelFile.ReadBytes f)))
                |> List.ofSeq

            let presets =
                let file = Path.Combine(directory, "presets.json")
                if File.Exists file then [ attempt true file (fun () -> readPresets file) ] else []

            let oks results = results |> List.choose (function Ok x -> Some x | Error _ -> None)
            let errors results = results |> List.choose (function Ok _ -> None | Error u -> Some u)
            oks models, List.concat (oks presets), errors models @ errors presets

    /// A catalogue of the given model files and presets.
    let create (sources: ModelSource list) (presets: Preset list) = new ModelCatalog(sources, presets)

    /// A catalogue that also remembers the files of model folders it skipped.
    let createWith (sources: ModelSource list) (presets: Preset list) (unreadable: UnreadableFile list) = new ModelCatalog(sources, presets, unreadable)
