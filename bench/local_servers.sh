# Sourced by bench/remote.sh and bench/remote_store_point.sh: Debian nginx and
# the delaying fault proxy on 127.0.0.1, stopped by bench_servers_stop.
# Needs OUT (a work folder) and HERE (the repository) set by the caller.
BENCH_PIDS=()
port() { /usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_port() { for _ in $(seq 100); do (exec 3<>/dev/tcp/127.0.0.1/$1) 2>/dev/null && return 0; sleep 0.1; done; echo "port $1 never opened" >&2; exit 1; }
# start_nginx ROOT [WORKERS]: serves ROOT with ranges and keep-alive (WORKERS nginx
# processes, default 1); sets NG to its port. NGINX_ACCESS_LOG=FILE logs each
# request there (nginx's combined format: request line and bytes sent).
start_nginx() {
  NG=$(port); mkdir -p "$OUT/nginx"
  cat > "$OUT/nginx/nginx.conf" <<CONF
daemon off; worker_processes ${2:-1}; pid $OUT/nginx/pid; $( [ "$(id -u)" = 0 ] && echo "user root;")
error_log $OUT/nginx/error.log;
events { worker_connections 1024; }
http { access_log ${NGINX_ACCESS_LOG:-off}; keepalive_requests 100000; default_type application/octet-stream;
  sendfile on;  # as in Debian's /etc/nginx/nginx.conf
  client_body_temp_path $OUT/nginx/t1; proxy_temp_path $OUT/nginx/t2; fastcgi_temp_path $OUT/nginx/t3;
  uwsgi_temp_path $OUT/nginx/t4; scgi_temp_path $OUT/nginx/t5;
  server { listen 127.0.0.1:$NG; root $1; } }
CONF
  nginx -c "$OUT/nginx/nginx.conf" -p "$OUT/nginx" -e "$OUT/nginx/error.log" & BENCH_PIDS+=($!)
  wait_port "$NG"
}
# delay_proxy UPSTREAM MS: prints the URL of a relay (bench/delay_relay.py, a
# TCP relay, no HTTP parsing) that delays every request and every new
# connection by MS ms, for a link of that round trip where tc netem is not
# permitted (its pid goes to a file: this runs inside $(...), whose variables
# the caller never sees). Until 2026-12-07 this was tests/support/fault_proxy.py
# delay:MS, whose own CPU (it reads each body in Python) was a third of a
# year's drill on the same 2 cores, and which hid the cost of new connections.
delay_proxy() {
  local p; p=$(port)
  /usr/bin/python3 "$HERE/bench/delay_relay.py" --port "$p" --upstream "${1#http://}" \
    --delay-ms "$2" >/dev/null 2>&1 &
  echo $! > "$OUT/proxy-$p.pid"; wait_port "$p"; echo "http://127.0.0.1:$p"
}
bench_servers_stop() {
  for p in "${BENCH_PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  for f in "$OUT"/proxy-*.pid; do [ -f "$f" ] && kill "$(cat "$f")" 2>/dev/null; rm -f "$f"; done
  return 0
}
