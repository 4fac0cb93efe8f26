using System.Net.Http.Headers;
using System.Text;

namespace AkashML.Web.IntegrationTests.Keys;

/// <summary>
/// A JSON request body that can only be read once <see cref="Open"/> is called: the server has admitted the request
/// (and holds its concurrency slot) but the handler waits for the body, so a test decides when the request may run.
/// </summary>
internal sealed class GatedContent : StreamContent
{
    private readonly GatedStream _stream;

    public GatedContent(string json)
        : this(new GatedStream(Encoding.UTF8.GetBytes(json)))
    {
    }

    private GatedContent(GatedStream stream)
        : base(stream)
    {
        _stream = stream;
        Headers.ContentType = new MediaTypeHeaderValue("application/json");
    }

    public void Open() => _stream.Open();

    /// <summary>Reads wait (cancellably) until the gate opens; the length stays unknown so nothing reads ahead.</summary>
    private sealed class GatedStream(byte[] body) : Stream
    {
        private readonly TaskCompletionSource _gate = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int _position;

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position
        {
            get => throw new NotSupportedException();
            set => throw new NotSupportedException();
        }

        public void Open() => _gate.TrySetResult();

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            await _gate.Task.WaitAsync(cancellationToken);
            var count = Math.Min(buffer.Length, body.Length - _position);
            body.AsMemory(_position, count).CopyTo(buffer);
            _position += count;
            return count;
        }

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException("reads are asynchronous only");

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
