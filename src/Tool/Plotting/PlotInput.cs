using System.Text.Json;
using System.Text.Json.Nodes;
using VqVae.Codec.Tool.Evaluation;

namespace VqVae.Codec.Tool.Plotting;

/// <summary>A file `vqz plot` can draw, recognised by its content (not its name).</summary>
internal abstract record PlotInput
{
    /// <summary>A training log: JSON lines {"type": "step" | "eval", "step": ..., "epoch": ..., metrics...}.</summary>
    public sealed record TrainingLog(IReadOnlyList<JsonObject> Records) : PlotInput;

    /// <summary>The JSON of `vqz eval codec --json` (kind vqz-eval-codec).</summary>
    public sealed record CodecEvaluation(JsonObject Root) : PlotInput;

    /// <summary>Reads and recognises <paramref name="path"/>.</summary>
    /// <exception cref="InputFormatException">It is neither kind.</exception>
    public static PlotInput Read(string path)
    {
        var text = File.ReadAllText(path);
        var firstLine = text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).FirstOrDefault();
        if (firstLine is null) throw new InputFormatException($"{path} is empty");
        var first = TryParse(firstLine);
        if (first?["type"] is JsonValue)
        {
            var lines = text.Split('\n');
            int last = Array.FindLastIndex(lines, l => l.Trim().Length > 0);
            var records = new List<JsonObject>();
            for (int i = 0; i <= last; i++)
            {
                if (lines[i].Trim().Length == 0) continue;
                if (TryParse(lines[i]) is { } record) records.Add(record);
                // A run that is still writing may have left its last line half-written: only that one is skipped.
                else if (i < last) throw new InputFormatException($"{path}:{i + 1}: not a JSON object");
            }
            return new TrainingLog(records);
        }
        var whole = TryParse(text);
        if (whole?["kind"]?.GetValueKind() == JsonValueKind.String && (string?)whole["kind"] == EvaluationFiles.Kind)
            return new CodecEvaluation(whole);
        throw new InputFormatException($"{path} is neither a training log (<model>.log.jsonl) nor the JSON of vqz eval codec --json");
    }

    private static JsonObject? TryParse(string text)
    {
        try
        {
            return JsonNode.Parse(text) as JsonObject;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}

/// <summary>An input file is not of a kind the command reads (exit code 3).</summary>
internal sealed class InputFormatException(string message) : Exception(message);
