-- wrk script: GET requests with the bench's API token.
wrk.headers["Authorization"] = "Bearer " .. os.getenv("CHARTER_TOKEN")
