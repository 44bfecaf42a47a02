package io.mailflow.edge.server;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;

/** SmtpTestClient - a plain blocking SMTP client for tests: writes raw bytes, reads whole replies. */
final class SmtpTestClient implements AutoCloseable {
  private Socket socket;
  private InputStream in;
  private OutputStream out;

  SmtpTestClient(InetSocketAddress server) throws IOException {
    socket = new Socket();
    socket.connect(server, 5000);
    socket.setSoTimeout(10_000);
    in = socket.getInputStream();
    out = socket.getOutputStream();
  }

  /** Connects from a given loopback address (127.0.0.0/8 is all this host's on Linux): another "client IP". */
  static SmtpTestClient from(String localIp, InetSocketAddress server) throws IOException {
    Socket socket = new Socket();
    socket.bind(new InetSocketAddress(localIp, 0));
    return new SmtpTestClient(socket, server);
  }

  private SmtpTestClient(Socket unconnected, InetSocketAddress server) throws IOException {
    socket = unconnected;
    socket.connect(server, 5000);
    socket.setSoTimeout(10_000);
    in = socket.getInputStream();
    out = socket.getOutputStream();
  }

  /** Connects with TLS from the first byte (implicit TLS, RFC 8314). */
  static SmtpTestClient implicitTls(InetSocketAddress server, SSLContext tls) throws IOException {
    SmtpTestClient client = new SmtpTestClient(server);
    client.handshake(tls);
    return client;
  }

  /** The TLS handshake over the connection as it is (after the server's 220 to STARTTLS). */
  SmtpTestClient handshake(SSLContext tls) throws IOException {
    InetSocketAddress remote = (InetSocketAddress) socket.getRemoteSocketAddress();
    SSLSocket ssl = (SSLSocket) tls.getSocketFactory().createSocket(socket, remote.getHostString(), remote.getPort(), true);
    ssl.setUseClientMode(true);
    ssl.startHandshake();
    socket = ssl;
    in = ssl.getInputStream();
    out = ssl.getOutputStream();
    return this;
  }

  void socketTimeout(int ms) throws IOException {
    socket.setSoTimeout(ms);
  }

  SSLSocket tlsSocket() {
    return (SSLSocket) socket;
  }

  SmtpTestClient send(String text) throws IOException {
    out.write(text.getBytes(StandardCharsets.UTF_8));
    out.flush();
    return this;
  }

  SmtpTestClient sendBytes(byte[] bytes) throws IOException {
    out.write(bytes);
    out.flush();
    return this;
  }

  /** One reply, multi-line replies joined with \n, without CRLFs. */
  String reply() throws IOException {
    List<String> lines = new ArrayList<>();
    while (true) {
      String line = line();
      if (line == null) {
        throw new IOException("connection closed after " + lines);
      }
      lines.add(line);
      if (line.length() < 4 || line.charAt(3) != '-') {
        return String.join("\n", lines);
      }
    }
  }

  /** Sends a command and returns its reply. */
  String command(String line) throws IOException {
    send(line + "\r\n");
    return reply();
  }

  /** Whether the server closed the connection (reads until end of stream, at most 10 s). */
  boolean closedByServer() throws IOException {
    try {
      return in.read() == -1;
    } catch (SocketTimeoutException e) {
      return false;
    } catch (IOException reset) {
      return true;
    }
  }

  /** Whether anything is waiting to be read right now. */
  boolean hasPendingInput() throws IOException {
    return in.available() > 0;
  }

  String line() throws IOException {
    StringBuilder sb = new StringBuilder();
    int c;
    while ((c = in.read()) != -1) {
      if (c == '\n') {
        int len = sb.length();
        if (len > 0 && sb.charAt(len - 1) == '\r') {
          sb.setLength(len - 1);
        }
        return new String(sb.toString().getBytes(StandardCharsets.ISO_8859_1), StandardCharsets.UTF_8);
      }
      sb.append((char) c);
    }
    return null;
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }
}
