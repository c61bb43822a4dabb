package i18n

// catalog is every message charla shows, by id, in English and Spanish.
// Ids are grouped by where the words appear ("signin.", "room.",
// "send."…). A text with arguments is a fmt format: %s, %d, or %[2]s when
// the languages order them differently. Words that charla.js shows are
// rendered into the page's data attributes and may hold {n}-style holes
// that the script fills.
var catalog = map[string]text{
	// The sign-in and sign-up forms.
	"signin.title":        {En: "Sign in", Es: "Entrar"},
	"signin.submit":       {En: "Sign in", Es: "Entrar"},
	"signin.new":          {En: "New here?", Es: "¿Primera vez aquí?"},
	"signin.create":       {En: "Create an account", Es: "Crea una cuenta"},
	"signup.title":        {En: "Sign up", Es: "Registrarse"},
	"signup.heading":      {En: "Create an account", Es: "Crear una cuenta"},
	"signup.submit":       {En: "Sign up", Es: "Registrarme"},
	"signup.have-account": {En: "Have an account?", Es: "¿Ya tienes cuenta?"},
	"signup.needs-invite": {En: "Signing up needs an invite link from an admin of this chat.", Es: "Para registrarte necesitas un enlace de invitación de un administrador de este chat."},
	"auth.username":       {En: "Username", Es: "Nombre de usuario"},
	"auth.password":       {En: "Password", Es: "Contraseña"},
	"auth.password-rules": {En: "8 to 128 characters.", Es: "De 8 a 128 caracteres."},

	// The rules of names, said under the fields and when a name breaks them.
	"names.username-rules": {
		En: "3 to 32 letters (of any language), digits, dots, dashes or underscores. Capitals make no other name: Ana is ana.",
		Es: "De 3 a 32 letras (de cualquier idioma), cifras, puntos, guiones o guiones bajos. Las mayúsculas no hacen otro nombre: Ana es ana.",
	},
	"names.room-rules": {
		En: "2 to 40 letters (of any language), digits, dashes or underscores.",
		Es: "De 2 a 40 letras (de cualquier idioma), cifras, guiones o guiones bajos.",
	},

	// Problems with the sign-in and sign-up forms.
	"problem.username":       {En: "Usernames are 3 to 32 letters (of any language), digits, dots, dashes or underscores.", Es: "Los nombres de usuario tienen de 3 a 32 letras (de cualquier idioma), cifras, puntos, guiones o guiones bajos."},
	"problem.password":       {En: "Passwords are 8 to 128 characters.", Es: "Las contraseñas tienen de 8 a 128 caracteres."},
	"problem.signup-rate":    {En: "Too many accounts made from here. Try again later.", Es: "Se han creado demasiadas cuentas desde aquí. Inténtalo más tarde."},
	"problem.username-taken": {En: "That username is taken.", Es: "Ese nombre de usuario ya está ocupado."},
	"problem.invite-unknown": {En: "Signing up needs an invite link from an admin, and this one is unknown, used or expired.", Es: "Para registrarte necesitas un enlace de invitación de un administrador, y este no existe, ya se usó o caducó."},
	"problem.busy":           {En: "The server is busy just now. Try again in a moment.", Es: "El servidor está ocupado ahora mismo. Inténtalo de nuevo en un momento."},
	"problem.signin-rate":    {En: "Too many attempts. Wait a minute, then try again.", Es: "Demasiados intentos. Espera un minuto y vuelve a intentarlo."},
	"problem.wrong-password": {En: "Wrong username or password.", Es: "Nombre de usuario o contraseña incorrectos."},

	// Problems with the sidebar's forms (handlers/flash.go) and limits.
	"problem.room-name":      {En: "Room names are 2 to 40 letters (of any language), digits, dashes or underscores.", Es: "Los nombres de sala tienen de 2 a 40 letras (de cualquier idioma), cifras, guiones o guiones bajos."},
	"problem.room-taken":     {En: "That name is not available. Pick another.", Es: "Ese nombre no está disponible. Elige otro."},
	"problem.no-peer":        {En: "There is nobody else called %s.", Es: "No hay nadie más que se llame %s."},
	"problem.no-member":      {En: "There is nobody called %s.", Es: "No hay nadie que se llame %s."},
	"problem.topic-too-long": {En: "A topic is at most %d characters. Shorten it and save again.", Es: "Un tema tiene como mucho %d caracteres. Acórtalo y vuelve a guardarlo."},
	"problem.room-change":    {En: "You are creating rooms and adding people too fast. Wait a little and try again.", Es: "Estás creando salas y añadiendo gente demasiado deprisa. Espera un poco y vuelve a intentarlo."},
	"problem.deact-self":     {En: "You cannot deactivate your own account.", Es: "No puedes desactivar tu propia cuenta."},
	"problem.last-admin":     {En: "That is the last admin: it cannot be deactivated.", Es: "Es el último administrador: no se puede desactivar."},
	"problem.people-rate":    {En: "You are changing accounts too fast. Wait a little and try again.", Es: "Estás cambiando cuentas demasiado deprisa. Espera un poco y vuelve a intentarlo."},
	"problem.bad-language":   {En: "Pick one of the languages listed.", Es: "Elige uno de los idiomas de la lista."},
	"problem.search-rate":    {En: "You are searching too fast. Wait a moment and search again.", Es: "Estás buscando demasiado deprisa. Espera un momento y vuelve a buscar."},

	// Why a message was not sent (handlers/chat.go, sendProblem).
	"send.too-long":    {En: "Not sent: your message is %d characters long; the limit is %d. Shorten it and send again.", Es: "No enviado: tu mensaje tiene %d caracteres y el límite es %d. Acórtalo y envíalo de nuevo."},
	"send.slow-down":   {En: "Slow down: you are sending faster than this chat allows. Wait a moment and send again.", Es: "Más despacio: envías más rápido de lo que permite este chat. Espera un momento y envía de nuevo."},
	"send.out-of-date": {En: "Not sent: the form was out of date. Send again.", Es: "No enviado: el formulario estaba desactualizado. Envía de nuevo."},
	"send.in-doubt":    {En: "Not confirmed: the database did not answer in time. If your message was saved it will appear here; sending it again will not post it twice.", Es: "Sin confirmar: la base de datos no respondió a tiempo. Si tu mensaje se guardó aparecerá aquí; enviarlo de nuevo no lo publicará dos veces."},
	"send.publish":     {En: "Saved, but it could not be shown just now. Send it again to show it; it will not be posted twice.", Es: "Guardado, pero no se pudo mostrar ahora. Envíalo de nuevo para mostrarlo; no se publicará dos veces."},
	"send.db-timeout":  {En: "Not sent: the database is not answering just now. Your text is still here; send again.", Es: "No enviado: la base de datos no responde ahora mismo. Tu texto sigue aquí; envía de nuevo."},
	"send.failed":      {En: "Not sent: the message could not be saved just now. Your text is still here; send again.", Es: "No enviado: el mensaje no se pudo guardar ahora mismo. Tu texto sigue aquí; envía de nuevo."},
	"failed.label":     {En: "Your message", Es: "Tu mensaje"},
	"failed.retry":     {En: "Send again", Es: "Enviar de nuevo"},

	// Error pages (handlers/errors.go). An echo.HTTPError whose message is
	// one of these ids is shown translated; "http.<code>" titles the page.
	"error.no-page":        {En: "No page here: nothing lives at this address.", Es: "Aquí no hay ninguna página: no hay nada en esta dirección."},
	"error.no-room":        {En: "No room here: it does not exist, or it is private and you are not in it.", Es: "Aquí no hay ninguna sala: no existe, o es privada y no estás en ella."},
	"error.no-person":      {En: "No such account.", Es: "No existe esa cuenta."},
	"error.internal":       {En: "Something went wrong on our side. Try again in a moment.", Es: "Algo ha fallado por nuestra parte. Inténtalo de nuevo en un momento."},
	"error.db-unavailable": {En: "Database unavailable: it did not answer in time. Try again in a moment.", Es: "Base de datos no disponible: no respondió a tiempo. Inténtalo de nuevo en un momento."},
	"error.sign-in-first":  {En: "Sign in first.", Es: "Entra primero."},
	"error.join-first":     {En: "Join the room first.", Es: "Únete a la sala primero."},
	"error.direct-two":     {En: "A direct conversation stays between two people.", Es: "Una conversación directa es solo entre dos personas."},
	"error.bad-before":     {En: "before must be a message id.", Es: "before debe ser el id de un mensaje."},
	"error.no-message":     {En: "There is no such message in this room.", Es: "No hay tal mensaje en esta sala."},
	"change.no-message":    {En: "That message is not here any more.", Es: "Ese mensaje ya no está aquí."},
	"change.not-yours":     {En: "You can only change your own messages.", Es: "Solo puedes cambiar tus propios mensajes."},
	"change.no-reaction":   {En: "That is not one of the reactions.", Es: "Esa no es una de las reacciones."},
	"change.empty":         {En: "Not saved: a message needs some text. To remove it, delete it.", Es: "No se guardó: un mensaje necesita algo de texto. Para quitarlo, bórralo."},
	"change.conflict":      {En: "The message changed meanwhile. Try again.", Es: "El mensaje cambió mientras tanto. Inténtalo de nuevo."},
	"change.in-doubt":      {En: "Not confirmed: the database did not answer in time. The message shows what was saved.", Es: "Sin confirmar: la base de datos no respondió a tiempo. El mensaje muestra lo que se guardó."},
	"change.slow-down":     {En: "Slow down: you are changing messages faster than this chat allows. Wait a moment and try again.", Es: "Más despacio: estás cambiando mensajes más rápido de lo que este chat permite. Espera un momento y vuelve a intentarlo."},
	"error.bad-after":      {En: "after must be a message id.", Es: "after debe ser el id de un mensaje."},
	"error.bad-at":         {En: "at must be a message id.", Es: "at debe ser el id de un mensaje."},
	"error.status-400":     {En: "The page sent something this server cannot read. Reload the page and try again.", Es: "La página envió algo que este servidor no entiende. Recarga la página y vuelve a intentarlo."},
	"error.status-403":     {En: "The form was out of date or came from elsewhere. Reload the page and try again.", Es: "El formulario estaba desactualizado o venía de otro sitio. Recarga la página y vuelve a intentarlo."},
	"error.status-413":     {En: "That is more than this server takes at once.", Es: "Es más de lo que este servidor acepta de una vez."},
	"http.400":             {En: "Bad Request", Es: "Petición incorrecta"},
	"http.401":             {En: "Unauthorized", Es: "No autorizado"},
	"http.403":             {En: "Forbidden", Es: "Prohibido"},
	"http.404":             {En: "Not Found", Es: "No encontrado"},
	"http.405":             {En: "Method Not Allowed", Es: "Método no permitido"},
	"http.413":             {En: "Request Entity Too Large", Es: "Petición demasiado grande"},
	"http.429":             {En: "Too Many Requests", Es: "Demasiadas peticiones"},
	"http.500":             {En: "Internal Server Error", Es: "Error interno del servidor"},
	"http.503":             {En: "Service Unavailable", Es: "Servicio no disponible"},

	// Navigation, on every page.
	"nav.admin":         {En: "admin", Es: "admin"},
	"nav.settings":      {En: "Settings and language", Es: "Ajustes e idioma"},
	"nav.your-settings": {En: "Your settings and language", Es: "Tus ajustes e idioma"},
	"nav.signout":       {En: "Sign out", Es: "Salir"},
	"nav.back-to-rooms": {En: "Back to your rooms", Es: "Volver a tus salas"},

	// A room's page.
	"room.skip":         {En: "Skip to the conversation", Es: "Ir a la conversación"},
	"room.menu":         {En: "Rooms", Es: "Salas"},
	"room.kind.public":  {En: "public", Es: "pública"},
	"room.kind.private": {En: "private", Es: "privada"},
	"room.noscript":     {En: "Live updates need JavaScript: reload the page to see new messages.", Es: "Las actualizaciones en directo necesitan JavaScript: recarga la página para ver mensajes nuevos."},
	"room.back-live":    {En: "Back to the live conversation", Es: "Volver a la conversación en directo"},
	"room.public-join":  {En: "%s is a public room. Join it to read and write.", Es: "%s es una sala pública. Únete para leer y escribir."},
	"room.join":         {En: "Join %s", Es: "Unirme a %s"},
	"lobby.pick":        {En: "Pick one of your rooms, join a public one, or start your own.", Es: "Elige una de tus salas, únete a una pública o crea la tuya."},

	// The connection's status (charla.js shows the ones after connecting).
	"status.connecting":    {En: "connecting…", Es: "conectando…"},
	"status.connected":     {En: "connected", Es: "conectado"},
	"status.reconnecting":  {En: "reconnecting…", Es: "reconectando…"},
	"status.too-many-tabs": {En: "open in too many tabs: reload to use this one", Es: "abierto en demasiadas pestañas: recarga para usar esta"},
	"status.reloading":     {En: "missed too much: reloading…", Es: "te perdiste demasiado: recargando…"},

	// The sidebar.
	"sidebar.close":                {En: "Close", Es: "Cerrar"},
	"sidebar.your-rooms":           {En: "Your rooms", Es: "Tus salas"},
	"sidebar.public":               {En: "Public rooms", Es: "Salas públicas"},
	"sidebar.room-placeholder":     {En: "new-room", Es: "sala-nueva"},
	"sidebar.room-name":            {En: "Room name", Es: "Nombre de la sala"},
	"sidebar.who-joins":            {En: "Who may join", Es: "Quién puede unirse"},
	"sidebar.create":               {En: "Create", Es: "Crear"},
	"sidebar.username-placeholder": {En: "username", Es: "usuario"},
	"sidebar.talk-with":            {En: "Talk with", Es: "Hablar con"},
	"sidebar.message":              {En: "Message", Es: "Escribir"},
	"sidebar.add-someone":          {En: "Add someone to %s", Es: "Añadir a alguien a %s"},
	"sidebar.add-to":               {En: "Add to %s", Es: "Añadir a %s"},
	"sidebar.leave":                {En: "Leave %s", Es: "Salir de %s"},
	"sidebar.unread":               {En: " unread", Es: " sin leer"}, // after the count, for screen readers
	"sidebar.start":                {En: "New room or conversation", Es: "Nueva sala o conversación"},
	"sidebar.browse":               {En: "Browse public rooms", Es: "Explorar salas públicas"},
	"sidebar.all-public":           {En: "You are in every public room.", Es: "Estás en todas las salas públicas."},
	"sidebar.rooms":                {En: "Rooms", Es: "Salas"},
	"sidebar.direct":               {En: "Direct messages", Es: "Mensajes directos"},
	"sidebar.no-direct":            {En: "None yet: message someone below, or from a room's member list.", Es: "Aún ninguno: escribe a alguien aquí abajo o desde la lista de miembros de una sala."},
	// After a room's mention count, for screen readers ("@2" on screen).
	"sidebar.mention":  {En: " mention", Es: " mención"},
	"sidebar.mentions": {En: " mentions", Es: " menciones"},

	// Who is online: the room's list, and the mark on a direct
	// conversation in the sidebar (its word is on the page, beside the
	// mark the shared frames turn on and off).
	"presence.online-now": {En: "Online now", Es: "En línea ahora"},
	"presence.online":     {En: "online", Es: "en línea"},

	// Browser notifications and the live region ({author} and {room} are
	// filled in by charla.js).
	"notify.button":    {En: "Notify me of mentions and direct messages", Es: "Avisarme de menciones y mensajes directos"},
	"notify.blocked":   {En: "Notifications are blocked in this browser's settings.", Es: "Las notificaciones están bloqueadas en los ajustes de este navegador."},
	"notify.mention":   {En: "{author} mentioned you in {room}", Es: "{author} te mencionó en {room}"},
	"notify.direct":    {En: "{author} in a direct message", Es: "{author} en un mensaje directo"},
	"notify.mentioned": {En: "mentioned you: ", Es: "te mencionó: "}, // read aloud after the author's name

	// The log and the composer.
	"day.today":             {En: "Today", Es: "Hoy"},
	"day.yesterday":         {En: "Yesterday", Es: "Ayer"},
	"unread.line":           {En: "New messages", Es: "Mensajes nuevos"},
	"unread.jump":           {En: "{n} new — jump to latest", Es: "{n} nuevos — ir al último"},
	"unread.jump-latest":    {En: "Jump to latest", Es: "Ir al último"},
	"log.older":             {En: "Older messages", Es: "Mensajes anteriores"},
	"log.start":             {En: "This is the start of the conversation.", Es: "Aquí empieza la conversación."},
	"composer.placeholder":  {En: "Message %s", Es: "Escribe en %s"},
	"composer.enter-hint":   {En: " (Enter sends, Shift+Enter for a new line)", Es: " (Intro envía, Mayús+Intro para una línea nueva)"},
	"composer.label":        {En: "Message", Es: "Mensaje"},
	"composer.send":         {En: "Send", Es: "Enviar"},
	"composer.sending":      {En: "sending…", Es: "enviando…"},
	"composer.left":         {En: "{n} characters left", Es: "quedan {n} caracteres"},
	"composer.over":         {En: "{n} over the limit of {max}", Es: "{n} por encima del límite de {max}"},
	"composer.mention-list": {En: "People to mention", Es: "Personas a las que mencionar"},
	// After the names of who is typing (charla.js picks one by the count).
	"typing.one":  {En: " is typing…", Es: " está escribiendo…"},
	"typing.many": {En: " are typing…", Es: " están escribiendo…"},

	// A message's menu and its page.
	"message.actions":    {En: "Message actions", Es: "Acciones del mensaje"},
	"message.react":      {En: "React", Es: "Reaccionar"},
	"message.edit-label": {En: "Edit the message", Es: "Editar el mensaje"},
	"message.save":       {En: "Save", Es: "Guardar"},
	"message.delete":     {En: "Delete", Es: "Borrar"},
	"message.close":      {En: "Close", Es: "Cerrar"},
	"message.title":      {En: "Message", Es: "Mensaje"},
	"message.back":       {En: "Back to the room", Es: "Volver a la sala"},
	"message.reactions":  {En: "Reactions", Es: "Reacciones"},

	// A room's member list (with its topic), and the question before leaving.
	"members.link":              {En: "Members", Es: "Miembros"},
	"members.title":             {En: "Members of %s", Es: "Miembros de %s"},
	"members.back":              {En: "← Back to %s", Es: "← Volver a %s"},
	"members.topic":             {En: "Topic", Es: "Tema"},
	"members.topic-placeholder": {En: "What this room is about", Es: "De qué trata esta sala"},
	"members.topic-of":          {En: "Topic of %s", Es: "Tema de %s"},
	"members.save-topic":        {En: "Save topic", Es: "Guardar el tema"},
	"members.topic-hint":        {En: "Any member may change it; everyone sees it under the room's name.", Es: "Cualquier miembro puede cambiarlo; todos lo ven bajo el nombre de la sala."},
	"members.one":               {En: "1 member", Es: "1 miembro"},
	"members.many":              {En: "%d members", Es: "%d miembros"},
	"members.add":               {En: "Add someone", Es: "Añadir a alguien"},
	"members.leave":             {En: "Leave", Es: "Salir"},
	"members.leave-link":        {En: "Leave %s…", Es: "Salir de %s…"},
	"members.you":               {En: "(you)", Es: "(tú)"},
	"members.deactivated":       {En: "(deactivated)", Es: "(cuenta desactivada)"},
	"members.message-to":        {En: "Message %s", Es: "Escribir a %s"},
	"leave.title":               {En: "Leave %s?", Es: "¿Salir de %s?"},
	"leave.no-more":             {En: "You will no longer get its messages.", Es: "Ya no recibirás sus mensajes."},
	"leave.private":             {En: "It is private: only one of its members can add you back.", Es: "Es privada: solo uno de sus miembros puede volver a añadirte."},
	"leave.public":              {En: "You can join it again from the public rooms.", Es: "Puedes volver a unirte desde las salas públicas."},
	"leave.stay":                {En: "Stay", Es: "Quedarme"},

	// The search page and the search box.
	"search.label":       {En: "Search messages", Es: "Buscar mensajes"},
	"search.placeholder": {En: "Search", Es: "Buscar"},
	"search.button":      {En: "Search", Es: "Buscar"},
	"search.title":       {En: "Search", Es: "Búsqueda"},
	"search.skip":        {En: "Skip to the results", Es: "Ir a los resultados"},
	"search.no-terms":    {En: "Type a word, or the beginning of one (at least two letters), to search the rooms you are in.", Es: "Escribe una palabra, o el principio de una (al menos dos letras), para buscar en las salas en las que estás."},
	"search.nothing":     {En: "No messages in your rooms have all of these words.", Es: "Ningún mensaje de tus salas tiene todas estas palabras."},
	"search.more":        {En: "Older results", Es: "Resultados anteriores"},
	"search.rule":        {En: "Every word you type must begin a word of the message; case and accents do not matter.", Es: "Cada palabra que escribas debe ser el principio de una palabra del mensaje; las mayúsculas y los acentos dan igual."},
	"search.partial":     {En: "Older messages are still being indexed: some may be missing from these results.", Es: "Los mensajes más antiguos aún se están indexando: puede que falten algunos en estos resultados."},

	// The admin's pages.
	"admin.invites":               {En: "Invites", Es: "Invitaciones"},
	"admin.people":                {En: "People", Es: "Personas"},
	"admin.invite-people":         {En: "Invite people", Es: "Invitar a gente"},
	"admin.anyone-signs-up":       {En: "Anyone may sign up now. To require these links, set", Es: "Ahora cualquiera puede registrarse. Para exigir estos enlaces, pon"},
	"admin.send-link":             {En: "Send this link to one person. It works once, for a week, and is not shown again:", Es: "Envía este enlace a una persona. Sirve una vez, durante una semana, y no se vuelve a mostrar:"},
	"admin.invite-link":           {En: "Invite link", Es: "Enlace de invitación"},
	"admin.copy":                  {En: "Copy", Es: "Copiar"},
	"admin.copied":                {En: "Copied", Es: "Copiado"},
	"admin.make-invite":           {En: "Make an invite link", Es: "Crear un enlace de invitación"},
	"admin.open-invites":          {En: "Open invites", Es: "Invitaciones abiertas"},
	"admin.no-invites":            {En: "No open invites.", Es: "No hay invitaciones abiertas."},
	"admin.col.invite":            {En: "Invite", Es: "Invitación"},
	"admin.col.by":                {En: "By", Es: "De"},
	"admin.col.made":              {En: "Made", Es: "Creada"},
	"admin.col.expires":           {En: "Expires", Es: "Caduca"},
	"admin.col.status":            {En: "Status", Es: "Estado"},
	"admin.col.change":            {En: "Change", Es: "Cambiar"},
	"admin.revoke":                {En: "Revoke", Es: "Revocar"},
	"admin.revoke-invite":         {En: "Revoke invite %s", Es: "Revocar la invitación %s"},
	"admin.deactivated-explained": {En: "A deactivated account cannot sign in; its sessions end at once. Its messages stay with its name.", Es: "Una cuenta desactivada no puede entrar; sus sesiones terminan al momento. Sus mensajes se quedan con su nombre."},
	"admin.status.deactivated":    {En: "deactivated", Es: "desactivada"},
	"admin.status.admin":          {En: "admin", Es: "administrador"},
	"admin.status.active":         {En: "active", Es: "activa"},
	"admin.you":                   {En: "(you)", Es: "(tú)"},
	"admin.deactivate":            {En: "Deactivate", Es: "Desactivar"},
	"admin.reactivate":            {En: "Reactivate", Es: "Reactivar"},

	// The person's settings.
	"settings.title":     {En: "Settings", Es: "Ajustes"},
	"settings.language":  {En: "Language", Es: "Idioma"},
	"settings.automatic": {En: "My browser's (%s)", Es: "La del navegador (%s)"},
	"settings.save":      {En: "Save", Es: "Guardar"},
	"settings.saved":     {En: "Saved.", Es: "Guardado."},
}
