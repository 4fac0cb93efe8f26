using Microsoft.Extensions.Logging;

namespace AkashML.Web.IntegrationTests.Infrastructure;

/// <summary>
/// Writes everything a test host logs to a file of its own in <c>AKASHML_HOST_LOG_DIR</c> (set by
/// <c>scripts/test.sh</c>), which the script scans after the run for any API key secret: no test has to remember which
/// keys it created for the whole run's logs to be checked.
/// </summary>
public sealed class HostLogFile : ILoggerProvider
{
    public const string DirectoryVariable = "AKASHML_HOST_LOG_DIR";

    private readonly StreamWriter _writer;

    private HostLogFile(string path)
    {
        _writer = new StreamWriter(path, append: false) { AutoFlush = true };
    }

    /// <summary>A sink in the configured folder, or null when the run does not collect host logs.</summary>
    public static HostLogFile? Create()
    {
        if (Environment.GetEnvironmentVariable(DirectoryVariable) is not { Length: > 0 } folder)
        {
            return null;
        }

        Directory.CreateDirectory(folder);
        return new HostLogFile(Path.Combine(folder, $"host-{Guid.NewGuid():N}.log"));
    }

    public ILogger CreateLogger(string categoryName) => new Sink(this, categoryName);

    public void Dispose()
    {
        lock (_writer)
        {
            _writer.Dispose();
        }
    }

    private void Write(string line)
    {
        lock (_writer)
        {
            if (_writer.BaseStream.CanWrite)
            {
                _writer.WriteLine(line);
            }
        }
    }

    private sealed class Sink(HostLogFile file, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            ArgumentNullException.ThrowIfNull(formatter);
            file.Write($"{logLevel} {category}: {formatter(state, exception)}{(exception is null ? "" : " | " + exception)}");
        }
    }
}
