/// The dev console served at `/`: plain HTML and JavaScript, no build step. It walks a
/// newcomer through the three steps (connect, join a room, publish), shows the gateway's open
/// sockets (`GET /dev/connections`, polled every second), each socket's messages in its own
/// panel, newest last, and a publish's report as counts.
enum DevConsole {
    static let html = #"""
    <!doctype html>
    <html lang="en">
    <head>
    <meta charset="utf-8">
    <title>notification-router dev console</title>
    <style>
      body { font: 15px/1.45 system-ui, sans-serif; margin: 1.5rem auto; max-width: 64rem; padding: 0 1rem; color: #1d1d1f; }
      h1 { font-size: 1.4rem; margin-bottom: .2rem; }
      h2 { font-size: 1.05rem; margin: 0 0 .5rem; }
      h2 .step { display: inline-block; width: 1.5rem; height: 1.5rem; border-radius: 50%; background: #2457c5; color: #fff; text-align: center; margin-right: .4rem; }
      section { border: 1px solid #d0d4da; border-radius: 8px; padding: .8rem 1rem; margin-bottom: 1rem; }
      .row { display: flex; flex-wrap: wrap; gap: .6rem 1.2rem; align-items: end; margin: .3rem 0; }
      label { display: flex; flex-direction: column; font-size: .85rem; color: #444; }
      input[type=text], select { font: inherit; padding: .25rem .4rem; min-width: 11rem; }
      textarea { font: 13px monospace; width: 100%; height: 3.5rem; box-sizing: border-box; }
      button { font: inherit; padding: .25rem .8rem; cursor: pointer; }
      .hint { color: #666; font-size: .85rem; margin: .2rem 0; }
      .presets button { font-size: .85rem; }
      table { border-collapse: collapse; width: 100%; font-size: .9rem; }
      th, td { text-align: left; padding: .25rem .5rem; border-bottom: 1px solid #e4e6ea; }
      td code { font-size: .8rem; }
      #panels { display: grid; grid-template-columns: repeat(auto-fill, minmax(18rem, 1fr)); gap: .8rem; }
      .connection { border: 1px solid #d0d4da; border-radius: 6px; padding: .5rem .7rem; }
      .connection header { display: flex; justify-content: space-between; font-weight: 600; }
      .connection .state { font-weight: normal; color: #666; font-size: .85rem; }
      .messages { list-style: none; padding: 0; margin: .4rem 0 0; font: 12px monospace; max-height: 10rem; overflow-y: auto; }
      .messages li { background: #f4f6f8; margin: .15rem 0; padding: .15rem .3rem; border-radius: 3px; white-space: pre-wrap; word-break: break-all; }
      .counts { display: flex; gap: 1rem; margin: .4rem 0; }
      .count { text-align: center; min-width: 4.5rem; }
      .count b { display: block; font-size: 1.4rem; }
      .outcome-completed { color: #17733a; } .outcome-invalid, .outcome-retry { color: #b3261e; } .outcome-dropped { color: #8a5a00; }
    </style>
    </head>
    <body>
    <h1>notification-router — dev console</h1>
    <p class="hint">A local stand-in for API Gateway's WebSocket API. Clients connect to
    <code>ws://<span class="host"></span>/?user_id=USER</code>; the router posts to them through
    <code>POST /@connections/{id}</code>, exactly as in production.</p>

    <section id="step-connect">
      <h2><span class="step">1</span>Connect a client</h2>
      <div class="row">
        <label for="user">user id<input type="text" id="user" value="alice"></label>
        <button id="connect">connect</button>
      </div>
      <p class="hint">Connect as many users as you like (alice, bob, carol…); each gets a panel below with the messages it receives.</p>
    </section>

    <section id="step-room">
      <h2><span class="step">2</span>Join a room (optional)</h2>
      <div class="row">
        <label for="room-connection">connection<select id="room-connection"><option value="">connect a client first</option></select></label>
        <label for="room">room<input type="text" id="room" value="lobby"></label>
        <button id="join">join</button>
        <button id="leave">leave</button>
      </div>
      <p class="hint" id="room-status">A room is a set of users; a request with <code>rooms</code> reaches their members.</p>
    </section>

    <section id="step-publish">
      <h2><span class="step">3</span>Publish a notification request</h2>
      <div class="row presets">
        <span class="hint">Examples:</span>
        <button data-preset="multicast">multicast to alice</button>
        <button data-preset="broadcast">broadcast to everyone</button>
        <button data-preset="exclude">everyone except bob</button>
        <button data-preset="room">room lobby</button>
      </div>
      <div class="row">
        <label for="users">users (comma-separated)<input type="text" id="users"></label>
        <label for="exclude">exclude users<input type="text" id="exclude"></label>
        <label for="rooms">rooms<input type="text" id="rooms"></label>
      </div>
      <p class="hint">Empty <b>users</b> and <b>rooms</b> means a broadcast: every connected client.</p>
      <label for="data">data (any JSON; posted to each connection byte for byte)</label>
      <textarea id="data">{"type":"notification","message":"hello"}</textarea>
      <div class="row"><button id="publish">publish</button></div>
      <div id="report" hidden>
        <div>outcome: <b id="outcome"></b> <span id="reason"></span></div>
        <div class="counts">
          <div class="count"><b data-count="delivered">0</b>delivered</div>
          <div class="count"><b data-count="gone">0</b>gone</div>
          <div class="count"><b data-count="pruned">0</b>pruned</div>
          <div class="count"><b data-count="invalid">0</b>invalid</div>
        </div>
        <details><summary>the answer as JSON</summary><pre id="raw"></pre></details>
      </div>
    </section>

    <section>
      <h2>Connections in the gateway's store</h2>
      <table id="connections">
        <thead><tr><th>user</th><th>connection id</th><th>connected at</th><th>rooms</th><th>messages received</th></tr></thead>
        <tbody><tr><td colspan="5" class="hint">none yet</td></tr></tbody>
      </table>
    </section>

    <section>
      <h2>Messages received, per connection (newest last)</h2>
      <div id="panels"><p class="hint">Connect a client in step 1.</p></div>
    </section>

    <script>
    const $ = (id) => document.getElementById(id);
    document.querySelectorAll(".host").forEach((e) => e.textContent = location.host);
    const list = (text) => text.split(",").map((s) => s.trim()).filter((s) => s.length > 0);
    const sockets = [];  // { user, socket, panel, number }

    function refreshRoomChoices() {
      const open = sockets.filter((s) => s.socket.readyState === WebSocket.OPEN);
      const select = $("room-connection");
      const chosen = select.value;
      select.innerHTML = "";
      if (open.length === 0) select.add(new Option("connect a client first", ""));
      open.forEach((s) => select.add(new Option(`${s.user} (#${s.number})`, String(s.number))));
      if (open.some((s) => String(s.number) === chosen)) select.value = chosen;
    }

    $("connect").onclick = () => {
      const user = $("user").value.trim();
      if (!user) { $("user").focus(); return; }
      const scheme = location.protocol === "https:" ? "wss" : "ws";
      const socket = new WebSocket(`${scheme}://${location.host}/?user_id=${encodeURIComponent(user)}`);
      const number = sockets.length + 1;
      const panel = document.createElement("div");
      panel.className = "connection";
      panel.dataset.user = user;
      panel.dataset.number = String(number);
      panel.innerHTML = `<header><span class="name"></span><span class="state">connecting</span></header>
        <ul class="messages"></ul><button class="close">disconnect</button>`;
      panel.querySelector(".name").textContent = `${user} (#${number})`;
      panel.querySelector(".close").onclick = () => socket.close();
      if (sockets.length === 0) $("panels").innerHTML = "";
      $("panels").appendChild(panel);
      const entry = { user, socket, panel, number };
      sockets.push(entry);
      socket.onopen = () => { panel.querySelector(".state").textContent = "open"; refreshRoomChoices(); };
      socket.onclose = (e) => {
        panel.querySelector(".state").textContent = `closed (${e.code}${e.reason ? ": " + e.reason : ""})`;
        refreshRoomChoices();
      };
      socket.onmessage = (e) => {
        let event;
        try { event = JSON.parse(e.data); } catch (_) { event = null; }
        if (event && (event.event === "joined" || event.event === "left")) {
          $("room-status").textContent = `${user} (#${number}) ${event.event} room ${event.room}`;
          return;
        }
        const item = document.createElement("li");
        item.textContent = e.data;
        panel.querySelector(".messages").appendChild(item);
        item.scrollIntoView({ block: "nearest" });
      };
    };

    function roomAction(action) {
      const entry = sockets.find((s) => String(s.number) === $("room-connection").value);
      const room = $("room").value.trim();
      if (!entry || !room) { $("room-status").textContent = "Choose an open connection and a room name."; return; }
      entry.socket.send(JSON.stringify({ action, room }));
    }
    $("join").onclick = () => roomAction("join");
    $("leave").onclick = () => roomAction("leave");

    const presets = {
      multicast: { users: "alice", exclude: "", rooms: "" },
      broadcast: { users: "", exclude: "", rooms: "" },
      exclude: { users: "", exclude: "bob", rooms: "" },
      room: { users: "", exclude: "", rooms: "lobby" },
    };
    document.querySelectorAll("[data-preset]").forEach((button) => button.onclick = () => {
      const preset = presets[button.dataset.preset];
      for (const field of ["users", "exclude", "rooms"]) $(field).value = preset[field];
      $("data").value = JSON.stringify({ type: "notification", message: button.textContent });
    });

    function showReport(status, text) {
      $("report").hidden = false;
      $("raw").textContent = `${status} ${text}`;
      let answer;
      try { answer = JSON.parse(text); } catch (_) { answer = { message: text }; }
      const reports = answer.reports || [];
      const sum = (key) => reports.reduce((total, r) => total + (r[key] || 0), 0);
      const outcome = reports.length ? reports.map((r) => r.outcome).join(", ") : "refused";
      $("outcome").textContent = outcome;
      $("outcome").className = "outcome-" + (reports.length ? reports[0].outcome : "invalid");
      $("reason").textContent = reports.map((r) => r.reason).filter(Boolean).join("; ") || answer.message || "";
      const counts = { delivered: sum("delivered"), gone: sum("gone"), pruned: sum("pruned"), invalid: reports.filter((r) => r.outcome === "invalid").length };
      document.querySelectorAll("[data-count]").forEach((e) => e.textContent = String(counts[e.dataset.count]));
    }

    $("publish").onclick = async () => {
      let data;
      try { data = JSON.parse($("data").value); } catch (e) { showReport(0, JSON.stringify({ message: "data is not JSON: " + e.message })); return; }
      const request = { data };
      if (list($("users").value).length) request.users = list($("users").value);
      if (list($("exclude").value).length) request.exclude_users = list($("exclude").value);
      if (list($("rooms").value).length) request.rooms = list($("rooms").value);
      const answer = await fetch("/publish", { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(request) });
      showReport(answer.status, await answer.text());
    };

    async function refreshConnections() {
      try {
        const answer = await fetch("/dev/connections");
        const { connections } = await answer.json();
        const body = $("connections").tBodies[0];
        body.innerHTML = "";
        if (connections.length === 0) body.innerHTML = `<tr><td colspan="5" class="hint">none yet</td></tr>`;
        for (const c of connections) {
          const row = body.insertRow();
          row.dataset.user = c.user_id;
          const cells = [c.user_id, c.connection_id, new Date(c.connected_at).toLocaleTimeString(), c.rooms.join(", "), String(c.received)];
          cells.forEach((text, index) => {
            const cell = row.insertCell();
            if (index === 1) { const code = document.createElement("code"); code.textContent = text; cell.appendChild(code); } else cell.textContent = text;
            cell.className = ["user", "id", "since", "rooms", "received"][index];
          });
        }
      } catch (_) { /* the gateway is restarting; the next poll tries again */ }
    }
    refreshConnections();
    setInterval(refreshConnections, 1000);
    </script>
    </body>
    </html>
    """#
}
