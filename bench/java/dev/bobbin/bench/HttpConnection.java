package dev.bobbin.bench;

import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;

/**
 * One HTTP/1.1 keep-alive connection over a plain socket, for the load generator: it writes a
 * pre-built request head and body and reads the status and body of the answer, nothing more. On two
 * cores the generator shares the CPU with the server, so it does as little as possible (no header
 * maps, no per-request buffers); {@code java.net.http.HttpClient} costs several times more CPU per
 * request.
 */
final class HttpConnection implements AutoCloseable {
    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;
    private final byte[] line = new byte[8192];
    /** The body of the last answer (truncated), for error messages. */
    private final byte[] body = new byte[4096];
    private int bodyLength;

    HttpConnection(URI node) throws IOException {
        socket = new Socket();
        socket.setTcpNoDelay(true);
        socket.connect(new InetSocketAddress(node.getHost(), Targets.port(node)), 10_000);
        socket.setSoTimeout(600_000);
        in = new BufferedInputStream(socket.getInputStream(), 16 * 1024);
        out = socket.getOutputStream();
    }

    /** Sends one request and returns the status code of its answer. */
    int exchange(byte[] head, byte[] requestBody) throws IOException {
        out.write(head);
        out.write(requestBody);
        out.flush();
        int status = readStatusLine();
        long contentLength = -1;
        boolean chunked = false;
        boolean close = false;
        int n;
        while ((n = readLine()) > 0) {
            String header = new String(line, 0, n, StandardCharsets.ISO_8859_1);
            int colon = header.indexOf(':');
            if (colon < 0) {
                continue;
            }
            String name = header.substring(0, colon).strip();
            String value = header.substring(colon + 1).strip();
            if (name.equalsIgnoreCase("Content-Length")) {
                contentLength = Long.parseLong(value);
            } else if (name.equalsIgnoreCase("Transfer-Encoding") && value.equalsIgnoreCase("chunked")) {
                chunked = true;
            } else if (name.equalsIgnoreCase("Connection") && value.equalsIgnoreCase("close")) {
                close = true;
            }
        }
        bodyLength = 0;
        if (chunked) {
            while (true) {
                int len = readLine();
                long size = Long.parseLong(new String(line, 0, len, StandardCharsets.ISO_8859_1).split(";")[0].strip(), 16);
                if (size == 0) {
                    while (readLine() > 0) {
                        // trailers
                    }
                    break;
                }
                readBody(size);
                readLine();
            }
        } else if (contentLength > 0) {
            readBody(contentLength);
        }
        if (close) {
            throw new IOException("the server closed the connection after answering " + status + ": " + lastBody());
        }
        return status;
    }

    String lastBody() {
        return new String(body, 0, bodyLength, StandardCharsets.UTF_8);
    }

    private int readStatusLine() throws IOException {
        int n = readLine();
        if (n < 12) {
            throw new IOException("bad status line: " + new String(line, 0, Math.max(n, 0), StandardCharsets.ISO_8859_1));
        }
        return (line[9] - '0') * 100 + (line[10] - '0') * 10 + (line[11] - '0');
    }

    /** Reads one line without its CRLF into {@link #line}; returns its length. */
    private int readLine() throws IOException {
        int n = 0;
        while (true) {
            int b = in.read();
            if (b < 0) {
                throw new EOFException("the server closed the connection");
            }
            if (b == '\n') {
                return n > 0 && line[n - 1] == '\r' ? n - 1 : n;
            }
            if (n < line.length) {
                line[n++] = (byte) b;
            }
        }
    }

    private void readBody(long size) throws IOException {
        long left = size;
        byte[] skip = line;
        while (left > 0) {
            int want = (int) Math.min(left, skip.length);
            int got = in.read(skip, 0, want);
            if (got < 0) {
                throw new EOFException("the server closed the connection inside an answer");
            }
            int keep = Math.min(got, body.length - bodyLength);
            System.arraycopy(skip, 0, body, bodyLength, keep);
            bodyLength += keep;
            left -= got;
        }
    }

    @Override
    public void close() {
        try {
            socket.close();
        } catch (IOException ignored) {
            // closing
        }
    }
}
