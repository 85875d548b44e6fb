using System.Text.Json;
using System.Text.Json.Nodes;

namespace VqVae.Codec.Models.Training;

/// <summary>A JSON-lines training log: one object per line, appended (and flushed) as training goes.</summary>
public sealed class TrainingLog(string path) : IDisposable
{
    private readonly StreamWriter writer = new(new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.Read)) { AutoFlush = true };

    /// <summary>The log's path.</summary>
    public string Path { get; } = path;

    /// <summary>Appends one record.</summary>
    public void Write(JsonObject record) => writer.WriteLine(record.ToJsonString(new JsonSerializerOptions { WriteIndented = false }));

    /// <summary>Appends a record with a "type" field and the given values.</summary>
    public void Write(string type, IEnumerable<KeyValuePair<string, double>> values, long step, int epoch)
    {
        var record = new JsonObject { ["type"] = type, ["time"] = DateTime.UtcNow.ToString("O"), ["step"] = step, ["epoch"] = epoch };
        foreach (var (key, value) in values) record[key] = double.IsFinite(value) ? value : null;
        Write(record);
    }

    /// <summary>
    /// The records of the log at <paramref name="path"/> in order (none if there is no file), skipping blank
    /// lines and a line cut short by a killed run: the one reader of these logs.
    /// </summary>
    public static IEnumerable<JsonObject> Read(string path)
    {
        if (!File.Exists(path)) yield break;
        foreach (var line in File.ReadLines(path))
        {
            if (string.IsNullOrWhiteSpace(line)) continue;
            JsonObject? record;
            try { record = JsonNode.Parse(line) as JsonObject; }
            catch (JsonException) { continue; }                                    // a line cut short by a kill
            if (record is not null) yield return record;
        }
    }

    /// <inheritdoc/>
    public void Dispose() => writer.Dispose();
}
