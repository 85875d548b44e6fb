namespace VqVae.Codec.Pipeline

open System
open System.IO
open System.Reflection
open System.Text

/// The models found with no configuration, by `vqz` and by the library alike: the built-in models
/// (models/*.vqm, *.vqp and presets.json of the repository, embedded in this assembly), then every extra
/// directory given (`--model-dir`), $VQZ_MODEL_PATH (colon-separated) and ~/.local/share/vqz/models.
/// Presets of directories come before the built-in ones, so an installed preset wins.
[<RequireQualifiedAccess>]
module DefaultModels =
    /// Prefix of the manifest resource names of the built-in models.
    [<Literal>]
    let ResourcePrefix = "models/"

    /// The environment variable listing model directories (colon-separated).
    [<Literal>]
    let PathVariable = "VQZ_MODEL_PATH"

    /// The directories searched besides the built-in models: `extra`, then $VQZ_MODEL_PATH, then
    /// ~/.local/share/vqz/models.
    let directories (extra: string seq) : string list =
        [
            yield! extra
            match Environment.GetEnvironmentVariable PathVariable with
            | null
            | "" -> ()
            | path -> yield! path.Split(':', StringSplitOptions.RemoveEmptyEntries)
            yield Path.Combine(Environment.GetFolderPath Environment.SpecialFolder.UserProfile, ".local", "share", "vqz", "models")
        ]

    /// The assembly that carries the built-in models.
    let resourceAssembly: Assembly = typeof<ModelCatalog>.Assembly

    /// The built-in model files and presets (resources of this assembly), in file-name order.
    let builtIn () : ModelSource list * Preset list =
        let names =
            resourceAssembly.GetManifestResourceNames()
            |> Array.filter (fun n -> n.StartsWith(ResourcePrefix, StringComparison.Ordinal))
            |> Array.sortWith (fun a b -> String.CompareOrdinal(a, b))

        let read (name: string) =
            use stream =
                match resourceAssembly.GetManifestResourceStream name with
                | null -> invalidOp $"the built-in model resource {name} is listed but cannot be opened"
                | s -> s

            // One copy, straight from the mapped assembly (the resources are about 25 MB).
            let bytes = GC.AllocateUninitializedArray<byte>(int stream.Length)
            stream.ReadExactly(bytes)
            bytes

        let entries = [ for name in names -> name.Substring ResourcePrefix.Length, read name ]

        [ for file, bytes in entries do
              if file <> "presets.json" then ModelSource.ofBytes $"built-in:{file}" true bytes ],
        [ for file, bytes in entries do
              if file = "presets.json" then yield! ModelCatalog.parsePresets (Encoding.UTF8.GetString bytes) ]

    /// The catalogue of the models in `extra` directories, the standard directories and the built-in models.
    /// A file of those directories that cannot be read is skipped (the catalogue's Unreadable lists it, so
    /// that the error is its own when it is the model needed).
    let openCatalog (extra: string seq) : ModelCatalog =
        let found = directories extra |> List.map (ModelCatalog.ofDirectory false)
        let builtInSources, builtInPresets = builtIn ()
        let sources = found |> List.collect (fun (s, _, _) -> s)
        let presets = found |> List.collect (fun (_, p, _) -> p)
        let unreadable = found |> List.collect (fun (_, _, u) -> u)
        ModelCatalog.createWith (sources @ builtInSources) (presets @ builtInPresets) unreadable
