"""The application layer: what every front end (the CLI, the console, the phone API) asks of
livepost. Front ends parse input and render output; everything they do goes through here, so the
same request gives the same post from every front end. Nothing below this package imports it."""
