using System.CommandLine;
using System.Text.Json;
using System.Text.Json.Nodes;
using Spectre.Console;
using VqVae.Codec.Format;
using VqVae.Codec.Models.Files;
using VqVae.Codec.Tool.Terminal;

namespace VqVae.Codec.Tool.Commands;

/// <summary>
/// <c>vqz info FILE [--json]</c>: the header, chunks and layout of a .vqz file (spec/vqz.md), or, for a
/// model file (.vqm, .vqp; spec/model-file.md), its name, kind, digest, architecture and training record.
/// </summary>
internal static class InfoCommand
{
    public static Command Create()
    {
        var file = new Argument<FileInfo>("file") { Description = "The .vqz file (or model file) to describe." };
        var json = new Option<bool>("--json") { Description = "Print JSON (the fields of spec/vqz.md §10) instead of tables." };
        var command = new Command("info", "Show the header, chunks and layout of a .vqz file, or what a model file holds.") { file, json };
        command.SetAction(parseResult =>
        {
            var path = parseResult.GetRequiredValue(file);
            var console = ToolConsole.For(parseResult);
            // A device or FIFO would be read for ever (or block): refused unread, as every input.
            if (FileStatus.Of(path.FullName, followLinks: true).Kind == FileKind.Special)
                throw new InputFileException(path.FullName, "is not a regular file (a device node, FIFO or socket)");
            Span<byte> start = stackalloc byte[8];
            using (var stream = path.OpenRead())
                if (stream.ReadAtLeast(start, start.Length, throwOnEndOfStream: false) == start.Length && ModelFile.HasMagic(start))
                {
                    ModelInfo(path, parseResult.GetValue(json), console);
                    return ExitCodes.Ok;
                }

            VqzReadResult read;
            using (var stream = path.OpenRead())
            {
                var bytes = ReadAll(stream, VqzLimits.Default.MaxFileBytes);
                read = Vqz.readDetailed(VqzReaderOptions.Default, bytes);
            }

            var description = VqzDescription.toJson(read);
            if (parseResult.GetValue(json)) console.Out.Write(description);
            else Render(path.Name, description, console.Ansi);
            return ExitCodes.Ok;
        });
        return command;
    }

    /// <summary>A model file: identity (the digest .vqz headers name), architecture and training record.</summary>
    private static void ModelInfo(FileInfo path, bool json, ToolConsole console)
    {
        var bytes = ModelFile.ReadBytes(path.FullName);
        var model = ModelFile.Parse(bytes, path.FullName);
        var description = new JsonObject
        {
            ["file"] = path.Name,
            ["bytes"] = bytes.Length,
            ["kind"] = model.Kind,
            ["name"] = model.Name,
            ["digest"] = Convert.ToHexStringLower(ModelFile.DigestOf(bytes)),
            ["tensors"] = model.Tensors.Count,
            ["storedValues"] = model.Tensors.Sum(t => t.Shape.Aggregate(1L, (a, b) => a * b)),
            ["header"] = model.Header.DeepClone(),
        };
        if (json)
        {
            console.Out.Write(description.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
            return;
        }
        var table = new Table().Title(Markup.Escape(path.Name)).AddColumn("Field").AddColumn("Value");
        foreach (var (key, value) in description)
            if (key != "header") table.AddRow(Markup.Escape(key), Markup.Escape(value?.ToString() ?? ""));
        foreach (var (key, value) in model.Header)
            if (key is not ("kind" or "name" or "training")) table.AddRow(Markup.Escape(key), Markup.Escape(value?.ToJsonString() ?? ""));
        var training = model.Header["training"];
        if (training?["provenance"]?["command"] is JsonNode command) table.AddRow("training command", Markup.Escape(command.ToString()));
        if (training?["steps"] is JsonNode steps) table.AddRow("training steps", $"{steps} ({training["epochsCompleted"]} epochs)");
        console.Ansi.Write(table);
    }

    private static ReadOnlyMemory<byte> ReadAll(Stream stream, long maxBytes)
    {
        if (stream.Length > maxBytes)
            throw new VqzFormatException(FormatError.NewLimitExceeded(0, "file", "MaxFileBytes", stream.Length, maxBytes));
        var bytes = new byte[stream.Length];
        stream.ReadExactly(bytes);
        return bytes;
    }

    private static void Render(string name, string description, IAnsiConsole console)
    {
        using var document = JsonDocument.Parse(description);
        var root = document.RootElement;

        var header = new Table().Title(Markup.Escape(name)).AddColumn("Field").AddColumn("Value");
        foreach (var property in root.EnumerateObject())
            if (property.Value.ValueKind != JsonValueKind.Array)
                header.AddRow(Markup.Escape(property.Name), Markup.Escape(property.Value.ToString()));
        console.Write(header);

        var chunks = root.GetProperty("chunks");
        if (chunks.GetArrayLength() == 0) return;
        var table = new Table().Title("Chunks").AddColumn("Type").AddColumn("Offset").AddColumn("Data bytes").AddColumn("Content");
        foreach (var chunk in chunks.EnumerateArray())
        {
            var content = chunk.TryGetProperty("entries", out var entries)
                ? string.Join("\n", entries.EnumerateObject().Select(e => $"{e.Name} = {e.Value}"))
                : chunk.TryGetProperty("models", out var models)
                    ? string.Join("\n", models.EnumerateArray().Select(Model))
                    : Fields(chunk);
            table.AddRow(
                Markup.Escape(chunk.GetProperty("type").GetString() ?? ""),
                chunk.GetProperty("offset").ToString(),
                chunk.GetProperty("dataLength").ToString(),
                Markup.Escape(content));
        }
        console.Write(table);
    }

    private static string Model(JsonElement m) =>
        string.Join(" ", m.EnumerateObject().Select(p => $"{p.Name}={p.Value}"));

    /// <summary>A chunk's own fields (crc32c of a grid checksum; levels and streamLengths of LEVELS), one line.</summary>
    private static string Fields(JsonElement chunk) =>
        string.Join(" ", chunk.EnumerateObject()
            .Where(p => p.Name is not ("type" or "offset" or "dataLength"))
            .Select(p => p.Value.ValueKind == JsonValueKind.Array
                ? $"{p.Name}=[{string.Join(",", p.Value.EnumerateArray().Select(v => v.ToString()))}]"
                : $"{p.Name}={p.Value}"));
}
