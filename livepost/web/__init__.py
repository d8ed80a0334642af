"""The web console, the phone page, the venue wall and the team's JSON API: a front end that
parses requests, calls the application layer (livepost.app) and renders what comes back."""
