-- wrk script: create one email case per request with the bench's API token.
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer " .. os.getenv("CHARTER_TOKEN")
wrk.body = '{"service":"cognus/enquiries","kind":"enquiry","channel":"email",' ..
           '"received_at":"2025-12-19T16:45:00Z","subject":"Benchmark enquiry",' ..
           '"requester":{"name":"A Parent","email":"parent@example.org"},"flags":[]}'
