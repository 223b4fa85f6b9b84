import { getAuth } from "@/server/auth/instance";
import { withBodyLimit } from "@/server/body-limit";
import { getAppDatabase } from "@/server/db";
import { methodNotAllowed } from "@/server/http";
import { handleTrpcRequest } from "@/server/trpc/http";

const handle = withBodyLimit(async (request: Request) => handleTrpcRequest({ db: getAppDatabase().db, auth: await getAuth() }, request));

export { handle as GET, handle as POST };

const wrongMethod = methodNotAllowed("GET, POST");

export { wrongMethod as PUT, wrongMethod as PATCH, wrongMethod as DELETE };
